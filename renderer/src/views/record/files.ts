/** Files between the page and the core: a dropped or chosen File as base64, and a download of bytes the core sent. */
import { MAX_UPLOAD_BYTES } from '../../../../shared/evidence.js';
import { formatBytes } from '../../format.js';

/** The file's bytes as base64, or a message when it is over what the browser may send. */
export async function fileAsBase64(file: File): Promise<{ ok: true; name: string; base64: string } | { ok: false; message: string }> {
  if (file.size > MAX_UPLOAD_BYTES) {
    return {
      ok: false,
      message: `${file.name} is ${formatBytes(file.size)}: the browser sends at most ${formatBytes(MAX_UPLOAD_BYTES)} per file. Import it with the desktop app or "repdesk samples import".`,
    };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // In slices: String.fromCharCode with a whole file's bytes as arguments overflows the stack.
  for (let offset = 0; offset < bytes.length; offset += 0x8000) binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  return { ok: true, name: file.name, base64: btoa(binary) };
}

/** Save bytes the core sent (base64) as a file through the browser's download. */
export function downloadBase64(fileName: string, base64: string, type = 'message/rfc822'): void {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
