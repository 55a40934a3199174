/**
 * 0012: a spam sample keeps the notes its import made (broken MIME structure, bad encodings,
 * missing headers, over-long lines...), as a JSON list of sentences, so the viewer shows what
 * was wrong with the message as received. NULL for samples imported before notes were kept: the
 * viewer reads the message again for those.
 */
export const migration = {
  version: 12,
  name: 'sample-notes',
  sql: `
ALTER TABLE samples ADD COLUMN notes TEXT;
`,
};
