/**
 * Settings: the team's policy knobs, stored in the database, validated by this schema.
 * Every key has a default so a new database works before anyone opens Settings.
 */
import { z } from './zod.js';
import { parseRange } from './address.js';
import { ROLES } from './domain.js';

const ipv4Loopback = z
  .string()
  .regex(/^127\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/, 'a return code is an address in 127.0.0.0/8')
  .refine((code) => code !== '127.0.0.1', 'a return code is never 127.0.0.1 (RFC 5782: it means "not listed")');

export const settingsSchema = z.object({
  /** A records answered for each list (RFC 5782: blocklist codes live in 127.0.0.0/8, never 127.0.0.1). */
  returnCodes: z
    .object({
      RBL: ipv4Loopback.default('127.0.0.2'),
      DUL: ipv4Loopback.default('127.0.0.3'),
      MML: ipv4Loopback.default('127.0.0.4'),
      GAL: ipv4Loopback.default('127.0.0.2'),
      /** QIL answers <qilPrefix><level>, e.g. 127.0.1.2 for level 2. */
      qilPrefix: z
        .string()
        .regex(/^127\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.$/, 'the QIL prefix is three octets and a dot, e.g. 127.0.1.')
        .refine((prefix) => prefix !== '127.0.0.', 'the QIL prefix must not be 127.0.0. (127.0.0.1 would mean level 1)')
        .default('127.0.1.'),
    })
    .prefault({}),
  /** Lookup page a TXT answer points to; `$` is replaced by the queried address. */
  // Short enough that a TXT answer (list, reason, TXT reason, this URL with an IPv6 address in it) stays under 255 bytes.
  lookupUrl: z
    .string()
    .min(1)
    .max(80)
    .regex(/^https?:\/\/[^\s"\\]+$/, 'the lookup URL is an http(s) URL without spaces, quotes or backslashes')
    .refine((url) => url.split('$').length === 2, "the lookup URL has exactly one '$' (the queried address)")
    .default('https://lookup.example/ip/$'),
  qil: z
    .object({
      /** Level given to a manual QIL entry without --level. */
      defaultLevel: z.number().int().min(1).max(4).default(2),
      /** Lifetime of a manual QIL entry without --expires, in hours. */
      defaultExpiryHours: z.number().positive().max(24 * 365).default(24),
      /** Trap-hit scoring: a source's spam score halves after this many hours without hits. */
      halfLifeHours: z.number().positive().max(24 * 365).default(12),
      /** Per level 1..4, the decayed score at which a source is listed (level 4: a single hit). */
      thresholds: z.tuple([z.number().positive(), z.number().positive(), z.number().positive(), z.number().positive()]).default([10, 10, 3, 1]),
      /** Senders with a good rating need this many times the score to be listed at levels 1-3. */
      goodRatingFactor: z.number().min(1).max(1000).default(5),
      /** A source seen before whose previous hit is at least this many days old has a good rating. */
      cleanHistoryDays: z.number().positive().max(3650).default(30),
      /** Per level 1..4, the hours each hit over the threshold adds to the listing's remaining time. */
      listHours: z.tuple([z.number().positive(), z.number().positive(), z.number().positive(), z.number().positive()]).default([1, 3, 12, 24]),
      /** Per level 1..4, the longest a listing may run past the latest hit, in hours. */
      maxHours: z.tuple([z.number().positive(), z.number().positive(), z.number().positive(), z.number().positive()]).default([12, 48, 168, 168]),
    })
    .refine((qil) => qil.thresholds.every((value, index) => index === 0 || value <= qil.thresholds[index - 1]), {
      message: 'qil.thresholds must not rise from level 1 to level 4 (a more aggressive level tolerates less)',
    })
    .refine((qil) => qil.listHours.every((value, index) => index === 0 || value >= qil.listHours[index - 1]), {
      message: 'qil.listHours must not fall from level 1 to level 4 (listings are shorter at less aggressive levels)',
    })
    .refine((qil) => qil.maxHours.every((value, index) => value >= qil.listHours[index] && (index === 0 || value >= qil.maxHours[index - 1])), {
      message: 'qil.maxHours must be at least listHours at each level and must not fall from level 1 to level 4',
    })
    .prefault({}),
  publish: z
    .object({
      /** Base zone: lists are published as <list>.<zone> (IPv4) and <list>.v6.<zone> (IPv6); the combined zone is <zone> and v6.<zone>. */
      zone: z.string().regex(/^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a zone is a lowercase domain name such as bl.example').default('bl.example'),
      nameServers: z.array(z.string().min(1).max(253)).min(1).max(13).default(['ns1.bl.example', 'ns2.bl.example']),
      hostmaster: z.string().min(1).max(253).default('hostmaster.bl.example'),
      /** TTL of answers (seconds), and the SOA timers. */
      ttl: z.number().int().min(60).max(86400).default(2100),
      refresh: z.number().int().min(60).default(3600),
      retry: z.number().int().min(60).default(900),
      expire: z.number().int().min(3600).default(604800),
      negativeTtl: z.number().int().min(0).max(86400).default(300),
      /** How long a snapshot is valid: DNS hosts refuse to install it, and rbldnsd stops serving it, after this. */
      validityHours: z.number().int().min(1).max(24 * 90).default(72),
      /** Where the app publishes snapshots; empty means the data folder's snapshots/ folder. */
      outDir: z.string().max(4096).default(''),
      /** Snapshots kept in the output folder (the current one is always kept). */
      keep: z.number().int().min(1).max(1000).default(10),
      /** Team mode: how long a snapshot the server prepared waits for its publisher's signature before it is rolled back (seconds). */
      signWithinSeconds: z.number().int().min(5).max(24 * 3600).default(900),
      /** Per list, added or removed listings above these need a second publisher's approval. */
      maxAddedPerList: z.number().int().min(0).default(10000),
      maxRemovedPerList: z.number().int().min(0).default(10000),
      /** The largest single published block, as a prefix length: anything wider is refused. */
      widestPrefixV4: z.number().int().min(1).max(32).default(8),
      widestPrefixV6: z.number().int().min(1).max(128).default(19),
    })
    .prefault({}),
  evidence: z
    .object({
      /**
       * The service's own mail relays (addresses, CIDRs or a-b ranges): hops received from them are
       * skipped when the source of a spam sample is read from its Received chain.
       */
      trustedRelays: z
        .array(
          z
            .string()
            .max(200)
            .superRefine((text, context) => {
              const parsed = parseRange(text);
              if (!parsed.ok) context.addIssue({ code: 'custom', message: `trusted relay ${parsed.error}` });
            }),
        )
        .max(1000)
        .default([]),
      /** Largest single message kept as a sample or in a thread (a bigger one is refused by name). */
      maxMessageBytes: z.number().int().positive().max(1024 * 1024 * 1024).default(32 * 1024 * 1024),
      /** The time zone dates and times are written in, in words, in mail to people outside the team (an IANA name). */
      replyTimeZone: z
        .string()
        .max(64)
        .refine((zone) => {
          try {
            new Intl.DateTimeFormat('en-GB', { timeZone: zone });
            return true;
          } catch {
            return false;
          }
        }, 'replyTimeZone is a time zone name such as UTC or Europe/Berlin')
        .default('UTC'),
      /** The From address of replies drafted in correspondence threads. */
      replyFrom: z.string().regex(/^[^\s@<>,]+@[^\s@<>,]+$/, 'replyFrom is one mail address (name@domain)').default('abuse-desk@bl.example'),
      /** The mail relay replies are sent through (SMTP); an empty host means replies are exported as .eml and sent by hand. */
      smtp: z
        .object({
          host: z.string().max(253).regex(/^[A-Za-z0-9.:-]*$/, 'smtp.host is a host name or an address').default(''),
          port: z.number().int().min(1).max(65535).default(25),
          /** TLS from the first byte (port 465); otherwise STARTTLS is used when the relay offers it. */
          secure: z.boolean().default(false),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Review queues: GAL nominations and delisting requests. */
  queues: z
    .object({
      /** DNS servers for the FCrDNS check (`IP` or `IP:port`, as node:dns setServers takes them); empty: the system's resolver. */
      resolvers: z.array(z.string().min(1).max(60)).max(5).default([]),
      /** How long one DNS question may take before the check reports a timeout, in milliseconds. */
      dnsTimeoutMs: z.number().int().min(100).max(30000).default(3000),
      /** SLA: a delisting request is due this many hours after it was received. */
      delistingDueHours: z.number().positive().max(24 * 90).default(48),
      /** A nomination is due (and stands out as ageing) this many hours after it was received. */
      nominationDueHours: z.number().positive().max(24 * 365).default(24 * 7),
      /** The longest temporary removal, in days, for an IP never relisted after a removal. */
      temporaryRemovalDays: z.number().positive().max(365).default(14),
      /** Each earlier removal after which the IP came back multiplies the longest temporary removal by this. */
      repeatOffenderFactor: z.number().positive().max(1).default(0.5),
      /** Most MTAs (and HELO strings) one nomination may carry. */
      maxNominationEntries: z.number().int().min(1).max(100000).default(1000),
    })
    .prefault({}),
  /** People and sign-in (team mode): enrolment, passphrases, second factors, sessions and lock-outs. */
  auth: z
    .object({
      /** An enrolment code is valid this many hours after the invitation. */
      enrolmentHours: z.number().positive().max(24 * 30).default(72),
      /** The shortest passphrase accepted (characters). */
      minPassphraseLength: z.number().int().min(8).max(128).default(12),
      /** People holding any of these roles must have a second factor (TOTP) to sign in, e.g. ["publisher", "admin"]. */
      secondFactorRoles: z.array(z.enum(ROLES)).max(ROLES.length).default([]),
      /** A session ends after this many minutes without a call (idle lifetime). */
      sessionIdleMinutes: z.number().int().min(5).max(7 * 24 * 60).default(120),
      /** A session ends this many hours after sign-in, used or not (absolute lifetime). */
      sessionAbsoluteHours: z.number().int().min(1).max(90 * 24).default(24),
      /** Failed sign-ins for one name within `failureWindowMinutes` that lock it. */
      lockAfterFailures: z.number().int().min(3).max(100).default(5),
      /** How long a locked name stays locked. */
      lockMinutes: z.number().int().min(1).max(24 * 60).default(15),
      /** Failed sign-ins from one address within `failureWindowMinutes` after which that address is refused until the window passes. */
      maxFailuresPerAddress: z.number().int().min(5).max(10000).default(20),
      failureWindowMinutes: z.number().int().min(1).max(24 * 60).default(15),
    })
    .refine((auth) => auth.sessionIdleMinutes <= auth.sessionAbsoluteHours * 60, { message: 'auth.sessionIdleMinutes must not exceed auth.sessionAbsoluteHours' })
    .prefault({}),
  audit: z
    .object({
      /** While something writes, a signed checkpoint of the history is made at least this often (minutes); also at every publish and when a command that wrote ends. */
      checkpointMinutes: z.number().int().min(1).max(24 * 60).default(10),
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
