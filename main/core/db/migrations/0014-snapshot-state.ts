/**
 * 0014: a snapshot is recorded before it goes live. A publish inserts its row as `prepared` in
 * the transaction that reserves its serial and uses its approval, switches the output folder's
 * `current`, then marks the row `live`; a prepared row left by a killed publish is finished or
 * rolled back at the next start. Snapshots published before this were live when recorded.
 */
export const migration = {
  version: 14,
  name: 'snapshot-state',
  sql: `
ALTER TABLE snapshots ADD COLUMN state TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('prepared', 'live'));
CREATE INDEX snapshots_by_state ON snapshots (state, serial);
`,
};
