/**
 * A core on a real database file with a movable clock, and people who enrolled through the real
 * operations (invite, enrolment start, enrolment with a passphrase and optionally a TOTP code).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Role } from '../../../shared/domain.js';
import { createCore, type CallContext, type Core } from '../../../main/core/app.js';
import { base32Decode, totp } from '../../../main/core/auth/totp.js';
import { ok } from './results.js';

/** The base32 secret of an otpauth URI, as bytes (what an authenticator app keeps). */
export function secretOf(otpauthUri: string): Buffer {
  return base32Decode(new URL(otpauthUri).searchParams.get('secret') ?? '');
}

export interface Enrolled {
  readonly name: string;
  readonly passphrase: string;
  /** The authenticator's secret, when the person added a second factor. */
  readonly secret: Buffer | null;
  readonly recoveryCodes: readonly string[] | null;
}

export interface TeamCore {
  readonly folder: string;
  readonly databasePath: string;
  core: Core;
  /** The clock every core here runs on (ms); tests move it. */
  clock: number;
  /** The embedded-mode admin who runs the team (bootstrap person). */
  readonly admin: CallContext;
  /** Close and open the core again on the same file (a restart). */
  restart(): void;
  /** Invite and enrol a person; with `secondFactor`, with a TOTP code made from the offered secret. */
  enrol(name: string, roles: readonly Role[], options?: { secondFactor?: boolean; passphrase?: string }): Promise<Enrolled>;
  /** The authenticator's current code for a secret. */
  code(secret: Buffer, offsetSteps?: number): string;
  /** Rows of the tables a refused call must leave alone. */
  tables(...names: string[]): Record<string, unknown[]>;
  close(): void;
}

export const START = Date.UTC(2026, 10, 28, 12, 0, 0);

export async function teamCore(): Promise<TeamCore> {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-team-'));
  const databasePath = join(folder, 'repdesk.sqlite');
  const team: TeamCore = {
    folder,
    databasePath,
    core: null as unknown as Core,
    clock: START,
    admin: { actor: 'Ada', client: 'cli' },
    restart() {
      team.core.close();
      team.core = createCore({ databasePath, now: () => new Date(team.clock) });
    },
    async enrol(name, roles, options = {}) {
      const invitation = await ok(team.core.dispatch('team.invite', { name, roles }, team.admin));
      const start = await ok(team.core.dispatch('auth.enrolStart', { code: invitation.code }, { actor: null }));
      const passphrase = options.passphrase ?? `${name.toLowerCase()} rides a purple tandem at dawn`;
      const secret = options.secondFactor ? secretOf(start.otpauthUri) : null;
      const result = await ok(
        team.core.dispatch('auth.enrol', { code: invitation.code, passphrase, totpCode: secret ? team.code(secret) : undefined }, { actor: null }),
      );
      return { name, passphrase, secret, recoveryCodes: result.recoveryCodes };
    },
    code(secret, offsetSteps = 0) {
      return totp(secret, team.clock + offsetSteps * 30_000);
    },
    tables(...names) {
      const database = new Database(databasePath, { readonly: true });
      try {
        return Object.fromEntries(names.map((name) => [name, database.prepare(`SELECT * FROM ${name} ORDER BY rowid`).all()]));
      } finally {
        database.close();
      }
    },
    close() {
      team.core.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
  team.core = createCore({ databasePath, now: () => new Date(team.clock) });
  await ok(team.core.dispatch('investigators.add', { name: 'Ada', roles: ['investigator'] }, { actor: null }));
  return team;
}
