/**
 * 0009: what a large-change approval covers. A request keeps the listing ids in force it was
 * made for and the snapshot it compares with (0: none yet), so that an approval still covers the
 * change when the data has since drifted by less than the change-size thresholds (QIL entries
 * come and go by the minute), and is known to be outdated once another snapshot is published.
 * Requests made before this keep matching by their digest only.
 */
export const migration = {
  version: 9,
  name: 'approval-scope',
  sql: `
ALTER TABLE publish_approvals ADD COLUMN base_serial INTEGER;
ALTER TABLE publish_approvals ADD COLUMN in_force BLOB;
`,
};
