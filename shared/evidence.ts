/**
 * Evidence and correspondence as the API shows them: spam samples (raw messages stored once by
 * SHA-256 and linked to listings), the Received chain with the hop chosen as the source, and
 * correspondence threads per listing or per ISP. Input schemas of their operations live here and
 * are imported into the contract.
 */
import { z } from './zod.js';
import { fileRefSchema } from './files.js';
import { REPLY_TEMPLATES, THREAD_OUTCOMES } from './vocabulary.js';

const idSchema = z.number().int().positive();

/** One hop of the Received chain, newest first (hop 0 is the header our own server added last). */
export interface ReceivedHop {
  readonly index: number;
  /** The header, unfolded. */
  readonly header: string;
  /** The name the client gave in HELO/EHLO, and the reverse-DNS name the receiver recorded, when present. */
  readonly helo: string | null;
  readonly reverseName: string | null;
  /** The connecting address the receiving server recorded, canonical text, or null (none recorded, or not parseable). */
  readonly ip: string | null;
  readonly family: 4 | 6 | null;
  /** Which server wrote the header (`by ...`). */
  readonly by: string | null;
  /** Why the address does not count as a source: special-purpose space (its name) or a trusted relay. */
  readonly special: string | null;
  readonly isTrusted: boolean;
  /**
   * Why the header gives no connecting address to consider: an internal hand-off (fetchmail,
   * LMTP, local pickup, qmail invoked by a uid...) or none recorded; null when it records one.
   * Absent in chains stored before it was kept.
   */
  readonly passedOver?: string | null;
}

/** The Received chain and the hop whose connecting address is taken as the sample's source. */
export interface ReceivedChain {
  readonly hops: readonly ReceivedHop[];
  /** Index into `hops`, or null when no hop has a usable address. */
  readonly chosen: number | null;
  /** Why that hop (or why none), in a sentence. */
  readonly reason: string;
}

/** What happened to one message of an import. */
export type ImportOutcome = 'imported' | 'duplicate' | 'failed' | 'skipped';

export interface MessageOutcome {
  /** The file, and for an mbox the message number in it (1-based) and its line. */
  readonly file: string;
  readonly message: number | null;
  readonly line: number | null;
  /**
   * imported: stored now; duplicate: stored before (or earlier in this import), linked again;
   * failed: refused (see problem); skipped: valid but not stored, because the batch had failures
   * and "import the valid ones" was not chosen.
   */
  readonly outcome: ImportOutcome;
  readonly problem: string | null;
  /** Remarks on a message that was accepted (no Received header, 8-bit header bytes, ...). */
  readonly notes: readonly string[];
  readonly sha256: string | null;
  readonly sampleId: number | null;
  readonly subject: string | null;
  readonly sourceIp: string | null;
  /** Listing ids the sample is linked to by this import. */
  readonly linkedListings: readonly number[];
}

export interface SampleImportResult {
  /** False when failures stopped the whole batch (nothing was stored). */
  readonly committed: boolean;
  readonly imported: number;
  readonly duplicates: number;
  readonly failed: number;
  readonly skipped: number;
  readonly messages: readonly MessageOutcome[];
}

export interface SampleSummary {
  readonly id: number;
  readonly sha256: string;
  readonly subject: string | null;
  readonly from: string | null;
  readonly sentAt: string | null;
  readonly messageId: string | null;
  readonly size: number;
  readonly sourceIp: string | null;
  readonly importedAt: string;
  readonly importedBy: string;
}

/** A sample in a listing's list, and whether its source lies outside that listing (attached by hand). */
export interface SampleListItem extends SampleSummary {
  readonly isSourceOutside: boolean;
}

/** A listing a sample is (or could be) linked to; holdsSource: whether its range holds the sample's source (null: no source). */
export interface LinkedListing {
  readonly id: number;
  readonly list: string;
  readonly range: string;
  readonly status: string;
  readonly holdsSource: boolean | null;
}

export interface SampleAttachment {
  readonly fileName: string | null;
  readonly contentType: string;
  readonly size: number;
}

/** A link found in the HTML or text body, with the real target (what a click would open). */
export interface SampleLink {
  readonly text: string;
  readonly target: string;
}

export interface SampleDetail extends SampleSummary {
  /** Header lines as received, in order, unfolded. */
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly text: string;
  /** The HTML body, sanitised (no script, no remote load, no live link), or null when there is none. */
  readonly html: string | null;
  readonly links: readonly SampleLink[];
  readonly attachments: readonly SampleAttachment[];
  readonly received: ReceivedChain;
  /** What was wrong or odd with the message as received (broken MIME, bad encodings, missing headers...). */
  readonly notes: readonly string[];
  /** Listings the sample is linked to, and active listings covering its source address it is not linked to yet. */
  readonly linkedListings: readonly LinkedListing[];
  readonly coveringListings: readonly LinkedListing[];
}

export interface SampleStats {
  readonly count: number;
  /** Earliest and latest date of the samples (their Date header, or when imported when it has none). */
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  /** Samples per UTC day, oldest first. */
  readonly perDay: ReadonlyArray<{ readonly day: string; readonly count: number }>;
}

export interface RawMessage {
  readonly fileName: string;
  readonly base64: string;
  readonly size: number;
}

export const THREAD_DIRECTIONS = ['inbound', 'outbound', 'note'] as const;
export type ThreadDirection = (typeof THREAD_DIRECTIONS)[number];

export { REPLY_TEMPLATES };
export type ReplyTemplate = (typeof REPLY_TEMPLATES)[number];

export const REPLY_TEMPLATE_LABELS: Record<ReplyTemplate, string> = {
  'delisting-granted': 'Delisting granted',
  'delisting-denied': 'Delisting denied',
  'needs-information': 'Needs information',
  'dul-submission-received': 'DUL submission received',
};

export { THREAD_OUTCOMES };
export type ThreadOutcome = (typeof THREAD_OUTCOMES)[number];

export interface ThreadSummary {
  readonly id: number;
  /** What the thread is about: exactly one of a listing, an ISP, a GAL nomination or a delisting request. */
  readonly listingId: number | null;
  readonly isp: string | null;
  readonly nominationId: number | null;
  readonly delistingId: number | null;
  readonly subject: string;
  readonly status: 'open' | 'resolved';
  readonly outcome: string | null;
  readonly messageCount: number;
  readonly lastAt: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
}

export interface ThreadMessageView {
  readonly id: number;
  readonly direction: ThreadDirection;
  readonly from: string | null;
  readonly to: string | null;
  readonly subject: string | null;
  readonly sentAt: string | null;
  readonly messageId: string | null;
  readonly text: string;
  /** Whether the raw message is kept (mail, not a note): it can be exported as .eml. */
  readonly hasRaw: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface ThreadDetail extends ThreadSummary {
  readonly messages: readonly ThreadMessageView[];
  /** Whether saved replies can be sent from RepDesk (a relay is configured), said before anyone clicks. */
  readonly relay: RelayStatus;
}

/** Whether a mail relay is configured, and through what replies go, or why they cannot be sent from RepDesk. */
export interface RelayStatus {
  readonly isConfigured: boolean;
  readonly text: string;
}

/** A reply as it will go out, drafted for a decision: its recipient (null when the contact given is not a mail address), subject and text. */
export interface MailDraft {
  readonly from: string;
  readonly to: string | null;
  readonly subject: string;
  readonly text: string;
}

/** A reply filled from a template, for the user to edit before saving it to the thread (it answers `inReplyTo`, the latest mail received). */
export interface ReplyDraft {
  readonly template: ReplyTemplate;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly inReplyTo: string | null;
}

export interface ThreadImportResult {
  /** False when failures stopped the whole batch (nothing was stored). */
  readonly committed: boolean;
  readonly added: number;
  readonly messages: readonly MessageOutcome[];
}

export const sampleImportSchema = z
  .object({
    /** Uploads (the browser, the desktop app) or, on the command line, paths: .eml or mbox files. */
    files: z.array(fileRefSchema).min(1, 'give at least one file').max(1000),
    listingId: idSchema.optional(),
    /** Store the valid messages when some fail; otherwise any failure stores nothing. */
    importValid: z.boolean().default(false),
  })
  .strict();

export const sampleListSchema = z
  .object({ listingId: idSchema, afterId: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) })
  .strict();

export const sampleLinkSchema = z.object({ sampleId: idSchema, listingId: idSchema }).strict();

export const sampleCreateListingSchema = z
  .object({
    sampleId: idSchema,
    reason: z.enum(['spam-source', 'spam-support', 'open-relay', 'open-proxy', 'botnet']).default('spam-source'),
    txt: z.string().max(1000).optional(),
    why: z.string().max(2000).optional(),
  })
  .strict();

export const threadListSchema = z
  .object({ listingId: idSchema.optional(), isp: z.string().min(1).max(200).optional() })
  .strict()
  .refine((input) => (input.listingId === undefined) !== (input.isp === undefined), 'give a listing or an ISP, not both');

export const threadCreateSchema = z
  .object({ listingId: idSchema.optional(), isp: z.string().min(1).max(200).optional(), subject: z.string().trim().min(1, 'a subject is required').max(300) })
  .strict()
  .refine((input) => (input.listingId === undefined) !== (input.isp === undefined), 'give a listing or an ISP, not both');

export const threadImportSchema = z
  .object({
    threadId: idSchema,
    direction: z.enum(['inbound', 'outbound']).default('inbound'),
    files: z.array(fileRefSchema).min(1, 'give at least one file').max(100),
    importValid: z.boolean().default(false),
  })
  .strict();

export const threadNoteSchema = z.object({ threadId: idSchema, text: z.string().trim().min(1, 'a note needs text').max(20_000) }).strict();

export const threadDraftSchema = z.object({ threadId: idSchema, template: z.enum(REPLY_TEMPLATES) }).strict();

export const threadReplySchema = z
  .object({
    threadId: idSchema,
    to: z.string().trim().min(3).max(500).regex(/^[^\s@<>,]+@[^\s@<>,]+$/, 'to is one mail address (name@domain)'),
    subject: z.string().trim().min(1).max(300),
    text: z.string().min(1).max(100_000),
  })
  .strict();

export const threadResolveSchema = z
  .object({ threadId: idSchema, outcome: z.enum(THREAD_OUTCOMES), why: z.string().max(2000).optional() })
  .strict();

/** The Content-Security-Policy inside a sample's HTML view: no script, no remote load of any kind. */
export const SAMPLE_FRAME_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** The whole document a sample's sanitised HTML is shown in (the `srcdoc` of a sandboxed frame). */
export function sampleFrameDocument(sanitisedHtml: string): string {
  return `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${SAMPLE_FRAME_POLICY}"><meta charset="utf-8"><meta name="referrer" content="no-referrer"></head><body>${sanitisedHtml}</body></html>`;
}
