/**
 * Sign-in's queries use the indexes they were written for: a session by its token's hash (every
 * call of the team server), a person's open sessions, the failed sign-ins of a name and of an
 * address within the window (every attempt), a lock, an enrolment code and a recovery code. Each
 * plan is of the statement the code runs (imported from it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReader } from '../support/query-plans.js';
import type { Sql } from '../../../main/core/db/sql.js';
import { openSessionsSql, sessionByTokenSql } from '../../../main/core/auth/sessions.js';
import { endSessionsOfSql } from '../../../main/core/investigators/session-end.js';
import { failuresFromAddressSql, failuresOfNameSql, lockOfSql, unusedRecoveryCodeSql } from '../../../main/core/auth/sign-in.js';
import { enrolmentByCodeSql } from '../../../main/core/auth/enrolment.js';

const plan = planReader();
const hash = Buffer.alloc(32);
const at = '2026-11-28T12:00:00.000Z';

for (const { name, query, expected } of [
  {
    name: 'a session by the hash of its token',
    query: sessionByTokenSql(hash),
    expected: /^SEARCH s USING INDEX sqlite_autoindex_sessions_1 \(token_hash=\?\) \| SEARCH i USING INTEGER PRIMARY KEY \(rowid=\?\)$/,
  },
  {
    name: "a person's open sessions (deactivation and role changes end them)",
    query: endSessionsOfSql(1, 'deactivated', at),
    expected: /^SEARCH sessions USING INDEX sessions_open_by_person \(investigator_id=\?\)$/,
  },
  {
    name: 'all open sessions (the Team page)',
    query: openSessionsSql(at),
    expected: /^SEARCH s USING INDEX sessions_open_by_expiry \(expires_at>\?\) \| SEARCH i USING INTEGER PRIMARY KEY \(rowid=\?\)$/,
  },
  {
    name: 'failed sign-ins of a name within the window',
    query: failuresOfNameSql('Ana', at),
    expected: /^SEARCH sign_in_failures USING COVERING INDEX sign_in_failures_by_name \(name=\? AND at>\?\)$/,
  },
  {
    name: 'failed sign-ins from an address within the window',
    query: failuresFromAddressSql('81.2.69.160', at),
    expected: /^SEARCH sign_in_failures USING COVERING INDEX sign_in_failures_by_address \(address=\? AND at>\?\)$/,
  },
  {
    name: 'the lock of a name',
    query: lockOfSql('Ana', at),
    expected: /^SEARCH sign_in_locks USING INDEX sqlite_autoindex_sign_in_locks_1 \(name=\?\)$/,
  },
  {
    name: 'an enrolment by the hash of its code',
    query: enrolmentByCodeSql(hash),
    expected: /^SEARCH e USING INDEX sqlite_autoindex_enrolments_1 \(code_hash=\?\)/,
  },
  {
    name: 'a recovery code by its hash',
    query: unusedRecoveryCodeSql(1, hash),
    expected: /^SEARCH recovery_codes USING INDEX sqlite_autoindex_recovery_codes_1 \(code_hash=\?\)$/,
  },
] satisfies Array<{ name: string; query: Sql; expected: RegExp }>) {
  test(name, () => {
    const detail = plan(query.text, [...query.values]);
    assert.match(detail, expected, detail);
  });
}
