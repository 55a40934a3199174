/**
 * Review queues: Global Approved List (GAL) nominations and delisting requests. The input
 * schemas of their operations and the views the UI, the CLI and scripts see.
 */
import { z } from './zod.js';
import type { HistoryEventView, ListingView } from './listings.js';
import type { ListName, Standing } from './domain.js';
import { fileRefSchema, plainFileNameProblem, quoteCell } from './files.js';

export const NOMINATION_STATUSES = ['new', 'investigating', 'needs-information', 'approved', 'rejected'] as const;
/** Where a nomination stands; approved and rejected are final. */
export type NominationStatus = (typeof NOMINATION_STATUSES)[number];
export const OPEN_NOMINATION_STATUSES: readonly NominationStatus[] = ['new', 'investigating', 'needs-information'];

export const DELISTING_STATUSES = ['new', 'needs-information', 'removed-temporarily', 'delisted', 'denied', 'closed-unlisted'] as const;
/** Where a delisting request stands; all but new and needs-information are decided (closed). */
export type DelistingStatus = (typeof DELISTING_STATUSES)[number];
export const OPEN_DELISTING_STATUSES: readonly DelistingStatus[] = ['new', 'needs-information'];

/** The queue filters, as the routes `#/nominations/<params>` and `#/delisting/<params>` carry them. */
export const queueFilterSchema = z
  .object({
    /** A status, or `open` for every undecided one. */
    status: z.string().max(40).optional(),
    /** An investigator's name, `me` (the caller) or `none` (unassigned). */
    assignee: z.string().max(100).optional(),
    /** `overdue`: past the due time and still open; an age bucket: open and received that long ago. */
    age: z.enum(['overdue', 'under-1-day', '1-3-days', '3-7-days', 'over-7-days']).optional(),
    afterId: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type QueueFilter = z.infer<typeof queueFilterSchema>;

const text = (max: number, what: string) => z.string().trim().min(1, `${what} is required`).max(max, `${what} is at most ${max} characters`);

/** One Mail Transfer Agent of a nomination, as the form and the MTA CSV template give it. */
export const nominationMtaSchema = z
  .object({
    ip: text(100, 'the IP'),
    fqdn: text(253, 'the FQDN'),
    domain: text(253, 'the email domain'),
    company: text(200, 'the company name'),
    country: text(100, 'the country/region'),
    companyType: text(100, 'the type of company'),
  })
  .strict();
export type NominationMtaInput = z.infer<typeof nominationMtaSchema>;

export const nominationContactSchema = z
  .object({
    email: text(254, 'the contact email'),
    firstName: text(100, 'the first name'),
    lastName: text(100, 'the last name'),
  })
  .strict();
export type NominationContact = z.infer<typeof nominationContactSchema>;

/** A nomination entered in the app (received by email or phone). */
export const nominationAddSchema = z
  .object({
    mtas: z.array(nominationMtaSchema).min(1, 'a nomination names at least one MTA').max(1000),
    helos: z.array(z.string().max(253)).max(1000).default([]),
    contact: nominationContactSchema,
    received: z.string().max(40).optional(),
  })
  .strict();
export type NominationAddInput = z.infer<typeof nominationAddSchema>;

/**
 * A nomination bundle: the bundle's JSON file, and the CSV files it names (`"mtas": "mtas.csv"`)
 * by those names. A name the bundle gives and `files` lacks is read from the bundle's own folder
 * when it has one (the command line, a file chosen in the desktop app); names are plain file
 * names, never paths.
 */
export const nominationImportSchema = z
  .object({
    bundle: fileRefSchema,
    files: z
      .record(z.string(), fileRefSchema)
      .superRefine((files, context) => {
        const names = Object.keys(files);
        if (names.length > 2) context.addIssue({ code: 'custom', message: 'a bundle names at most two files (the MTA and the HELO CSV)' });
        for (const name of names) {
          const problem = plainFileNameProblem(name);
          if (problem !== null) context.addIssue({ code: 'custom', path: [name], message: `${quoteCell(name)}: ${problem}` });
        }
      })
      .optional(),
  })
  .strict();
export type NominationImportInput = z.infer<typeof nominationImportSchema>;

export const nominationDecisionSchema = z
  .object({
    id: z.number().int().positive(),
    decision: z.enum(['approve', 'reject', 'needs-information']),
    why: z.string().trim().min(1, 'a reason is required').max(2000),
    /** Approve only: the IPs approved (default: every MTA of the nomination). */
    ips: z.array(z.string().max(100)).max(1000).optional(),
    /** Approve only: per IP on a blocklist, how the reviewer resolves the conflict. */
    conflicts: z.record(z.string().max(100), z.enum(['delist', 'refuse'])).optional(),
    /** The reply to the nominee as it goes out; by default the drafted one (nominations.draft). The reason is not in it. */
    reply: z
      .string()
      .max(10000)
      .refine((text) => text.trim() !== '', 'the reply is empty')
      .optional(),
    replySubject: z.string().trim().min(1).max(300).optional(),
  })
  .strict();
export type NominationDecisionInput = z.infer<typeof nominationDecisionSchema>;

/** The reply a nomination decision would send, drafted before deciding (the same choice of IPs and conflicts). */
export const nominationDraftSchema = nominationDecisionSchema.pick({ id: true, decision: true, ips: true, conflicts: true }).strict();

/** A delisting request entered in the app. */
export const delistingAddSchema = z
  .object({
    ip: text(100, 'the IP'),
    requester: text(254, 'the requester contact'),
    reason: text(2000, 'the reason'),
    received: z.string().max(40).optional(),
  })
  .strict();
export type DelistingAddInput = z.infer<typeof delistingAddSchema>;

export const DELISTING_DECISIONS = ['remove-temporarily', 'delist', 'deny', 'needs-information'] as const;
export type DelistingDecision = (typeof DELISTING_DECISIONS)[number];

export const delistingDecisionSchema = z
  .object({
    id: z.number().int().positive(),
    decision: z.enum(DELISTING_DECISIONS),
    why: z.string().trim().min(1, 'a reason is required').max(2000),
    /** Temporary removal: until when (default and longest: the allowed time for this request). */
    until: z.string().max(40).optional(),
    /** The reply to the requester as it goes out; by default the drafted one (delisting.draft). The reason is not in it. */
    reply: z
      .string()
      .max(10000)
      .refine((text) => text.trim() !== '', 'the reply is empty')
      .optional(),
    replySubject: z.string().trim().min(1).max(300).optional(),
  })
  .strict();
export type DelistingDecisionInput = z.infer<typeof delistingDecisionSchema>;

/** The reply a delisting decision would send, drafted before deciding (for a temporary removal, with its end). */
export const delistingDraftSchema = delistingDecisionSchema.pick({ id: true, decision: true, until: true }).strict();

/** One investigation aid: its result in words, whether it speaks for the nomination, and when it ran. */
export interface AidCheck {
  readonly ok: boolean;
  readonly result: string;
  readonly at: string;
}

/** Investigation aids for one MTA of a nomination. */
export interface MtaAids {
  readonly ip: string;
  /** Blocklist or GAL listings in force covering the IP. */
  readonly listed: AidCheck & { readonly listings: ReadonlyArray<{ readonly id: number; readonly list: ListName; readonly range: string; readonly status: string }> };
  readonly dul: AidCheck;
  readonly fcrdns: AidCheck & { readonly forward: readonly string[]; readonly ptr: readonly string[] };
  readonly helo: AidCheck & { readonly matching: readonly string[] };
  readonly samples: AidCheck & { readonly count: number; readonly sampleIds: readonly number[] };
}

export interface NominationMtaView extends NominationMtaInput {
  /** approved (a GAL listing made or linked), refused, or null while undecided. */
  readonly outcome: 'approved' | 'refused' | null;
  readonly galListingId: number | null;
}

/** A nomination in the queue. */
export interface NominationSummaryView {
  readonly id: number;
  readonly status: NominationStatus;
  readonly assignee: string | null;
  readonly contact: NominationContact;
  readonly ips: readonly string[];
  readonly mtaCount: number;
  readonly receivedAt: string;
  readonly dueAt: string;
  /** Hours since it was received (at the core's clock), and whether it is open past its due time. */
  readonly ageHours: number;
  readonly isOverdue: boolean;
  /** GAL listings made from it (when approved). */
  readonly galListingIds: readonly number[];
  /** Every listing it concerns: the GAL listings made, and those its checks found covering its IPs. */
  readonly listingIds: readonly number[];
}

export interface NominationView extends NominationSummaryView {
  readonly source: string;
  readonly mtas: readonly NominationMtaView[];
  readonly helos: readonly string[];
  readonly aids: readonly MtaAids[] | null;
  readonly aidsAt: string | null;
  readonly decision: { readonly kind: string; readonly at: string; readonly by: string; readonly why: string; readonly reply: string } | null;
  readonly history: readonly HistoryEventView[];
  /** The correspondence thread with the nominee (the decisions' replies), once there is one. */
  readonly threadId: number | null;
}

/** A listing a delisting request concerns, with whether it is in the published zone now. */
export interface ConcernedListing extends ListingView {
  /** What the one rule makes of it now, and whether that is in force (published). */
  readonly standing: Standing;
  readonly isInZone: boolean;
}

export interface DelistingSummaryView {
  readonly id: number;
  readonly ip: string;
  readonly requester: string;
  readonly reason: string;
  readonly status: DelistingStatus;
  readonly assignee: string | null;
  readonly routing: string;
  readonly receivedAt: string;
  readonly dueAt: string;
  readonly ageHours: number;
  readonly isOverdue: boolean;
  readonly listingIds: readonly number[];
  readonly relistCount: number;
  readonly isRepeatOffender: boolean;
  readonly until: string | null;
}

export interface DelistingView extends DelistingSummaryView {
  readonly source: string;
  readonly listings: readonly ConcernedListing[];
  readonly samples: ReadonlyArray<{ readonly id: number; readonly subject: string | null; readonly from: string | null; readonly sentAt: string | null; readonly sourceIp: string | null }>;
  /** History of the concerned listings (newest first) and of the request. */
  readonly listingHistory: ReadonlyArray<HistoryEventView & { readonly listingId: number }>;
  readonly history: readonly HistoryEventView[];
  readonly priorRequests: readonly DelistingSummaryView[];
  /** Longest temporary removal allowed now (days), shortened for repeat offenders, and the latest end it allows. */
  readonly allowedRemovalDays: number;
  readonly latestUntil: string;
  readonly decision: { readonly kind: string; readonly at: string; readonly by: string; readonly why: string; readonly reply: string } | null;
  /** The correspondence thread the request's mail and replies are in: its record's, or its own for an unlisted address. */
  readonly threadId: number | null;
}

export interface QueuePage<T> {
  readonly total: number;
  readonly items: readonly T[];
}

export interface ImportResult {
  readonly created: readonly number[];
  /** Requests that closed themselves (unlisted IPs). */
  readonly closed: number;
  readonly notes: readonly string[];
}

export const AGE_BUCKETS = ['under-1-day', '1-3-days', '3-7-days', 'over-7-days'] as const satisfies ReadonlyArray<NonNullable<QueueFilter['age']>>;
/** Where each age bucket starts and ends, in hours since received. */
export const AGE_BUCKET_HOURS: Record<AgeBucket, readonly [from: number, to: number]> = {
  'under-1-day': [0, 24],
  '1-3-days': [24, 72],
  '3-7-days': [72, 168],
  'over-7-days': [168, Number.POSITIVE_INFINITY],
};
export type AgeBucket = (typeof AGE_BUCKETS)[number];
export const AGE_BUCKET_LABELS: Record<AgeBucket, string> = {
  'under-1-day': '< 1 day',
  '1-3-days': '1-3 days',
  '3-7-days': '3-7 days',
  'over-7-days': '> 7 days',
};

/** Open requests of one queue, for the dashboard. */
export interface QueueSummary {
  readonly open: number;
  readonly overdue: number;
  readonly byAge: ReadonlyArray<{ readonly bucket: AgeBucket; readonly count: number }>;
  /** The caller first (when they hold any), then by count; `assignee` null is unassigned. */
  readonly byAssignee: ReadonlyArray<{ readonly assignee: string | null; readonly isMe: boolean; readonly count: number }>;
}

export interface QueuesSummary {
  readonly me: string | null;
  readonly nominations: QueueSummary;
  readonly delisting: QueueSummary;
}

/** The CSV templates intake accepts: exactly these header lines, in this order. */
export const MTA_CSV_COLUMNS = ['ip', 'fqdn', 'email_domain', 'company', 'country', 'company_type'] as const;
export const HELO_CSV_COLUMNS = ['helo'] as const;
export const DELISTING_CSV_COLUMNS = ['ip', 'requester', 'reason', 'received'] as const;

export interface CsvTemplate {
  readonly filename: string;
  readonly text: string;
}

/** The sample templates: a header and a commented example line (import skips `#` lines). */
export const CSV_TEMPLATES: Readonly<Record<'mtas' | 'helos', CsvTemplate>> = {
  mtas: {
    filename: 'gal-nomination-mtas.csv',
    text: `${MTA_CSV_COLUMNS.join(',')}\n# example: 192.0.2.25,mail.example.com,example.com,Example Mail Ltd,Netherlands,Email service provider\n`,
  },
  helos: {
    filename: 'gal-nomination-helos.csv',
    text: `${HELO_CSV_COLUMNS.join(',')}\n# example: mail.example.com\n`,
  },
};
