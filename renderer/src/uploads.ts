/**
 * Files from the page to the core. A form that takes a file sends it first as an upload and then
 * passes the operation `{ upload: id }`, never a path: in browser mode the browser streams the
 * file to `POST /api/upload` (with progress); in the desktop app the shell registers the file the
 * person chose or dropped (the page never sees its path) and answers the same receipt.
 *
 *   const sender = useFileSender();
 *   const sent = await sender.send(files);          // ApiResult<UploadReceipt[]>
 *   if (sent.ok) api['listings.importFile']({ file: fileRef(sent.value[0]), list, reason });
 *   <UploadProgressLine progress={sender.progress} />
 */
import { useCallback, useState } from 'react';
import type { ApiClient } from '../../shared/contract.js';
import type { ApiResult } from '../../shared/result.js';
import type { FileRef, UploadReceipt } from '../../shared/files.js';
import { useApi, type FileSender } from './api.js';
import { formatBytes } from './format.js';

/** Bytes sent of the files being uploaded (all of them together). */
export interface UploadProgress {
  readonly sent: number;
  readonly total: number;
  /** The file being sent now. */
  readonly name: string;
}

/** The reference an operation takes for an uploaded file. */
export function fileRef(receipt: UploadReceipt): FileRef {
  return { upload: receipt.upload };
}

function senderOf(client: ApiClient): FileSender | null {
  // The HTTP client and the desktop bridge add uploadFile to the contract's functions.
  const candidate = client as unknown as Partial<FileSender>;
  return typeof candidate.uploadFile === 'function' ? (candidate as FileSender) : null;
}

/** Upload files one after the other; the first failure stops and is the answer. */
export async function uploadFiles(client: ApiClient, files: readonly File[], onProgress?: (progress: UploadProgress) => void): Promise<ApiResult<UploadReceipt[]>> {
  const sender = senderOf(client);
  if (!sender) return { ok: false, error: { code: 'internal', message: 'this window cannot send files' } };
  // Said before sending: the server would refuse the file only once its first bytes passed the limit.
  const settings = await client['settings.get']({});
  const tooLarge = settings.ok ? files.find((file) => file.size > settings.value.import.maxFileBytes) : undefined;
  if (settings.ok && tooLarge) {
    const limit = settings.value.import.maxFileBytes;
    return { ok: false, error: { code: 'too-large', message: `${tooLarge.name} is ${formatBytes(tooLarge.size)}, over the import limit of ${formatBytes(limit)} (setting import.maxFileBytes)` } };
  }
  const total = files.reduce((sum, file) => sum + file.size, 0);
  const receipts: UploadReceipt[] = [];
  let before = 0;
  for (const file of files) {
    onProgress?.({ sent: before, total, name: file.name });
    const result = await sender.uploadFile(file, (sent) => onProgress?.({ sent: before + sent, total, name: file.name }));
    if (!result.ok) return result;
    receipts.push(result.value);
    before += file.size;
  }
  return { ok: true, value: receipts };
}

/** Upload files from a view, following the bytes sent (null when nothing is being sent). */
export function useFileSender(): { readonly progress: UploadProgress | null; send(files: readonly File[]): Promise<ApiResult<UploadReceipt[]>> } {
  const api = useApi();
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const send = useCallback(
    async (files: readonly File[]) => {
      try {
        return await uploadFiles(api, files, setProgress);
      } finally {
        setProgress(null);
      }
    },
    [api],
  );
  return { progress, send };
}
