/**
 * The ISP registry and DUL submissions as the API shows them, with the input schemas the
 * contract declares for their operations (shared by the core, the CLI and the DUL screen).
 */
import { z } from './zod.js';
import { fileRefSchema } from './files.js';

/** An ISP whose dynamic ranges the DUL lists. */
export interface IspView {
  readonly id: number;
  readonly name: string;
  readonly country: string | null;
  readonly asns: readonly number[];
  readonly liaisonContacts: readonly string[];
  readonly ispContacts: readonly string[];
  readonly notes: string | null;
  /** Active DUL listings of the ISP. */
  readonly activeRanges: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One DUL submission with the ISP's limits. */
export interface SubmissionView {
  readonly id: number;
  readonly isp: string;
  readonly mode: 'replace' | 'add';
  readonly source: string;
  readonly submittedBy: string | null;
  readonly receivedAt: string;
  readonly effectiveAt: string | null;
  readonly validUntil: string | null;
  readonly exclusions: readonly string[];
  readonly policyNotes: string | null;
  readonly investigator: string;
  readonly added: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly createdAt: string;
  readonly revertedAt: string | null;
  readonly revertedBy: string | null;
  /** Listings of this submission still active. */
  readonly activeRanges: number;
}

/** An ISP's page: the ISP, its submissions (newest first) and the first of its active ranges. */
export interface IspDetail {
  readonly isp: IspView;
  readonly submissions: readonly SubmissionView[];
  readonly ranges: readonly IspRangeView[];
}

/** One active DUL range of an ISP, with the limits that touch it. */
export interface IspRangeView {
  readonly listingId: number;
  readonly range: string;
  readonly submissionId: number;
  readonly validUntil: string | null;
  readonly policyNote: string | null;
}

/** A list that may be long: the total and its first items. */
export interface Excerpt<T> {
  readonly total: number;
  readonly items: readonly T[];
}

/** A submitted range that meets something already listed. */
export interface RangeOverlap {
  readonly range: string;
  readonly line: number;
  /** The other listing: its id, list, range and (DUL) its ISP. */
  readonly listingId: number;
  readonly list: string;
  readonly otherRange: string;
  readonly isp: string | null;
}

/** The long lists of a preview, each browsable in full page by page (`dul.previewItems`). */
export const PREVIEW_LISTS = ['added', 'removed', 'normalisations', 'duplicates', 'otherIspOverlaps', 'galOverlaps', 'rblOverlaps'] as const;
export type PreviewList = (typeof PREVIEW_LISTS)[number];

/** What a submission would do, before anything is written (the dry run). */
export interface SubmissionPreview {
  readonly isp: string;
  readonly mode: 'replace' | 'add';
  readonly source: string;
  /** Entries read (not counting blank and comment lines, nor a header). */
  readonly lines: number;
  /** Distinct ranges the submission lists. */
  readonly ranges: number;
  readonly ipv4: number;
  readonly ipv6: number;
  readonly validUntil: string | null;
  readonly exclusions: readonly string[];
  /** Host bits cleared, IPv4-mapped input: `line N: ...`. */
  readonly normalisations: Excerpt<string>;
  /** `line N: R also stands on line M; merged`. */
  readonly duplicates: Excerpt<string>;
  /** Every rejected line: `line N: reason`. Nothing is committed while there are any, unless confirmed. */
  readonly rejected: readonly string[];
  readonly rejectedLines: readonly number[];
  readonly otherIspOverlaps: Excerpt<RangeOverlap>;
  readonly galOverlaps: Excerpt<RangeOverlap>;
  readonly rblOverlaps: Excerpt<RangeOverlap>;
  /** Against the ISP's current active set. With `add`, nothing is removed. */
  readonly diff: { readonly added: Excerpt<string>; readonly removed: Excerpt<string>; readonly unchanged: number };
  /** The preview's full lists, for `dul.previewItems`; null for the preview a commit returns. */
  readonly spool: string | null;
}

/** What a commit wrote. */
export interface SubmissionResult {
  readonly submission: SubmissionView;
  readonly preview: SubmissionPreview;
}

/** What a revert did. */
export interface RevertResult {
  readonly submission: SubmissionView;
  /** Listings of the submission delisted, and listings of the previous set re-created. */
  readonly delisted: number;
  readonly restored: number;
}

const ispNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\p{L}\p{N} ._&'()-]+$/u, "an ISP name has letters, digits, spaces and . _ & ' ( ) - only");
const asnSchema = z.number().int().min(1).max(4_294_967_295);
const countrySchema = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'a country is a two-letter ISO 3166 code')
  .transform((code) => code.toUpperCase());
const contactSchema = z.string().trim().min(1).max(500);
const dateSchema = z.iso.datetime({ offset: true }).or(z.iso.date());
const rangeTextSchema = z.string().trim().min(1).max(200);

/** Input of `isps.add`. */
export const ispAddSchema = z
  .object({
    name: ispNameSchema,
    asns: z.array(asnSchema).max(1000).default([]),
    country: countrySchema.optional(),
    liaisonContacts: z.array(contactSchema).max(100).default([]),
    ispContacts: z.array(contactSchema).max(100).default([]),
    notes: z.string().max(10_000).optional(),
  })
  .strict();

/** Input of `isps.update`: the fields given replace the stored ones. */
export const ispUpdateSchema = z
  .object({
    name: z.string().min(1).max(200),
    rename: ispNameSchema.optional(),
    asns: z.array(asnSchema).max(1000).optional(),
    country: countrySchema.nullable().optional(),
    liaisonContacts: z.array(contactSchema).max(100).optional(),
    ispContacts: z.array(contactSchema).max(100).optional(),
    notes: z.string().max(10_000).nullable().optional(),
  })
  .strict();

/** Input of `dul.preview` and `dul.commit`. */
export const submissionSchema = z
  .object({
    file: fileRefSchema,
    isp: z.string().min(1).max(200),
    mode: z.enum(['replace', 'add']).default('replace'),
    submittedBy: z.string().trim().min(1).max(500).optional(),
    received: dateSchema.optional(),
    effective: dateSchema.optional(),
    validUntil: dateSchema.optional(),
    exclude: z.array(rangeTextSchema).max(10_000).default([]),
    policyNotes: z.string().max(10_000).optional(),
    /** The rejected line numbers the user saw in the preview and accepts to leave out. */
    confirmRejected: z.array(z.number().int().positive()).max(1_000_000).optional(),
  })
  .strict();

export type SubmissionInput = z.infer<typeof submissionSchema>;

/** Input of `dul.previewItems`: one page of one of a preview's lists. */
export const previewItemsSchema = z
  .object({
    spool: z.string().regex(/^[0-9a-f]{32}$/, 'a preview id is 32 hexadecimal digits'),
    list: z.enum(PREVIEW_LISTS),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();
