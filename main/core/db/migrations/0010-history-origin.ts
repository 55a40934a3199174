/**
 * 0010: every history event records the client its call came through (desktop, browser, cli,
 * server) and the address it came from. Events before this have neither (NULL), and their hash
 * is computed as before, so existing chains still verify.
 */
export const migration = {
  version: 10,
  name: 'history-origin',
  sql: `
ALTER TABLE events ADD COLUMN client TEXT;
ALTER TABLE events ADD COLUMN address TEXT;
`,
};
