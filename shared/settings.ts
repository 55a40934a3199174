/**
 * Settings: the team's policy knobs, stored in the database, validated by this schema.
 * Every key has a default so a new database works before anyone opens Settings.
 */
import { z } from 'zod';

const ipv4Loopback = z.string().regex(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/, 'a return code is an address in 127.0.0.0/8');

export const settingsSchema = z.object({
  /** A records answered for each list (RFC 5782: blocklist codes live in 127.0.0.0/8, never 127.0.0.1). */
  returnCodes: z
    .object({
      RBL: ipv4Loopback.default('127.0.0.2'),
      DUL: ipv4Loopback.default('127.0.0.3'),
      MML: ipv4Loopback.default('127.0.0.4'),
      GAL: ipv4Loopback.default('127.0.0.2'),
      /** QIL answers <qilPrefix><level>, e.g. 127.0.1.2 for level 2. */
      qilPrefix: z.string().regex(/^127\.\d{1,3}\.\d{1,3}\.$/, 'the QIL prefix is three octets and a dot, e.g. 127.0.1.').default('127.0.1.'),
    })
    .prefault({}),
  /** Lookup page a TXT answer points to; `$` is replaced by the queried address. */
  lookupUrl: z.string().min(1).max(200).default('https://lookup.example/ip/$'),
  qil: z
    .object({
      /** Level given to a manual QIL entry without --level. */
      defaultLevel: z.number().int().min(1).max(4).default(2),
      /** Lifetime of a manual QIL entry without --expires, in hours. */
      defaultExpiryHours: z.number().positive().max(24 * 365).default(24),
    })
    .prefault({}),
  import: z
    .object({
      /** Largest file an import reads; larger files are refused before reading. */
      maxFileBytes: z.number().int().positive().default(256 * 1024 * 1024),
    })
    .prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;

/** A partial update of the settings (deep: any subset of keys). */
export const settingsPatchSchema = z.record(z.string(), z.unknown());

/** The defaults, as a new database has them. */
export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}
