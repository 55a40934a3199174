/**
 * A worker thread that builds the address index from the listings table and hands its arrays to
 * the thread that started it (transferred, not copied), so a server's event loop never spends the
 * seconds a million listings take.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/connection.js';
import { ListingIndex, type BuiltIndex } from './listing-index.js';

const started = performance.now();
const connection = openDatabase((workerData as { databasePath: string }).databasePath, { readonly: true });
try {
  const index = new ListingIndex(connection.read);
  index.reload();
  const { state, transfer } = index.rangeIndex.state();
  const built: BuiltIndex = { state, maxId: index.builtMaxId, skipped: index.builtSkipped, milliseconds: performance.now() - started };
  parentPort?.postMessage(built, transfer);
} finally {
  connection.close();
}
