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

/** Files for one upload, or a message when together they are over what the browser may send. */
export async function filesAsBase64(files: readonly File[]): Promise<{ ok: true; files: Array<{ name: string; base64: string }> } | { ok: false; message: string }> {
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total > MAX_UPLOAD_BYTES) {
    return {
      ok: false,
      message: `${files.length === 1 ? files[0].name : `These ${files.length} files`} ${files.length === 1 ? 'is' : 'are'} ${formatBytes(total)}: the browser sends at most ${formatBytes(MAX_UPLOAD_BYTES)} at once. Send fewer files at a time, or import with the desktop app or "repdesk samples import".`,
    };
  }
  const encoded: Array<{ name: string; base64: string }> = [];
  for (const file of files) {
    const one = await fileAsBase64(file);
    if (!one.ok) return one;
    encoded.push({ name: one.name, base64: one.base64 });
  }
  return { ok: true, files: encoded };
}

/** Save bytes the core sent (base64) as a file through the browser's download. */
export function downloadBase64(fileName: string, base64: string, type = 'message/rfc822'): void {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  saveBlob(fileName, new Blob([bytes], { type }));
}

function saveBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Save text the page made (a CSV of lookup answers) through the browser's download. */
export function downloadText(fileName: string, text: string, type: string): void {
  saveBlob(fileName, new Blob([text], { type: `${type};charset=utf-8` }));
}
