/**
 * Sign-in's queries use the indexes they were written for: a session by its token's hash (every
 * call of the team server), a person's open sessions, the failed sign-ins of a name and of an
 * address within the window (every attempt), a lock, an enrolment code and a recovery code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';

const plan = planReader();
const hash = Buffer.alloc(32);
const at = '2026-11-28T12:00:00.000Z';

for (const { name, query, values, expected } of [
  {
    name: 'a session by the hash of its token',
    query: 'SELECT * FROM sessions s JOIN investigators i ON i.id = s.investigator_id WHERE s.token_hash = ?',
    values: [hash],
    expected: /^SEARCH s USING INDEX sqlite_autoindex_sessions_1 \(token_hash=\?\) \| SEARCH i USING INTEGER PRIMARY KEY \(rowid=\?\)$/,
  },
  {
    name: "a person's open sessions (deactivation and role changes end them)",
    query: 'UPDATE sessions SET ended_at = ?, end_reason = ? WHERE investigator_id = ? AND ended_at IS NULL AND expires_at > ?',
    values: [at, 'deactivated', 1, at],
    expected: /^SEARCH sessions USING INDEX sessions_open_by_person \(investigator_id=\?\)$/,
  },
  {
    name: 'all open sessions (the Team page)',
    query: 'SELECT * FROM sessions s JOIN investigators i ON i.id = s.investigator_id WHERE s.ended_at IS NULL AND s.expires_at > ?',
    values: [at],
    expected: /^SEARCH s USING INDEX sessions_open_by_expiry \(expires_at>\?\) \| SEARCH i USING INTEGER PRIMARY KEY \(rowid=\?\)$/,
  },
  {
    name: 'failed sign-ins of a name within the window',
    query: 'SELECT count(*) AS count FROM sign_in_failures WHERE name = ? AND at > ?',
    values: ['Ana', at],
    expected: /^SEARCH sign_in_failures USING COVERING INDEX sign_in_failures_by_name \(name=\? AND at>\?\)$/,
  },
  {
    name: 'failed sign-ins from an address within the window',
    query: 'SELECT count(*) AS count FROM sign_in_failures WHERE address = ? AND at > ?',
    values: ['81.2.69.160', at],
    expected: /^SEARCH sign_in_failures USING COVERING INDEX sign_in_failures_by_address \(address=\? AND at>\?\)$/,
  },
  {
    name: 'the lock of a name',
    query: 'SELECT locked_until FROM sign_in_locks WHERE name = ? AND locked_until > ?',
    values: ['Ana', at],
    expected: /^SEARCH sign_in_locks USING INDEX sqlite_autoindex_sign_in_locks_1 \(name=\?\)$/,
  },
  {
    name: 'an enrolment by the hash of its code',
    query: 'SELECT * FROM enrolments e JOIN investigators i ON i.id = e.investigator_id WHERE e.code_hash = ?',
    values: [hash],
    expected: /^SEARCH e USING INDEX sqlite_autoindex_enrolments_1 \(code_hash=\?\)/,
  },
  {
    name: 'a recovery code by its hash',
    query: 'SELECT id FROM recovery_codes WHERE investigator_id = ? AND code_hash = ? AND used_at IS NULL',
    values: [1, hash],
    expected: /^SEARCH recovery_codes USING INDEX sqlite_autoindex_recovery_codes_1 \(code_hash=\?\)$/,
  },
]) {
  test(name, () => {
    assert.match(plan(query, values), expected);
  });
}
