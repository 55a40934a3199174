/**
 * 0018: background jobs are recorded while they run (who started which operation, when, in which
 * process), so that a job its process did not live to finish (killed, crashed, the power gone) is
 * found at the next start and reported failed; its operation's own transaction kept it
 * all-or-nothing, so nothing of it is in the database.
 */
export const migration = {
  version: 18,
  name: 'jobs',
  sql: `
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  operation TEXT NOT NULL,
  actor TEXT,
  client TEXT,
  address TEXT,
  -- The process running it: host, pid and that process's start (a pid is reused; the three together are not).
  owner TEXT NOT NULL,
  owner_pid INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
  finished_at TEXT,
  error TEXT
) STRICT;

CREATE INDEX jobs_running ON jobs (owner_pid) WHERE state = 'running';
CREATE INDEX jobs_interrupted ON jobs (finished_at) WHERE state = 'interrupted';
`,
};
