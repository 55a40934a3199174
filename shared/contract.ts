/**
 * The API contract: every operation the UI, the CLI and the tests may call, declared once with
 * the schema of its input and the type of its result. The core implements this map; Electron
 * IPC and the HTTP server dispatch through it, and refuse a payload that fails its schema.
 */
import { z } from './zod.js';
import { LISTS, REASONS, ROLES, type ListName, type ListingStatus, type Reason, type Role } from './domain.js';
import type { Settings } from './settings.js';
import type { PendingApproval, PreparedPublish, PublishPreview, PublishResult, SnapshotView } from './publishing.js';
import { settingsPatchSchema } from './settings.js';
import { ispAddSchema, ispUpdateSchema, previewItemsSchema, submissionSchema, type IspDetail, type IspRangeView, type IspView, type RangeOverlap, type RevertResult, type SubmissionPreview, type SubmissionResult, type SubmissionView } from './dul.js';
import {
  bulkActionSchema,
  exportSchema,
  listingEditSchema,
  listingQuerySchema,
  savedViewSchema,
  textSearchSchema,
  type BulkResult,
  type CsvExport,
  type EditResult,
  type ListingPage,
  type RecordView,
  type RelatedView,
  type SavedView,
  type TextHit,
} from './workbench.js';
import {
  sampleCreateListingSchema,
  sampleImportSchema,
  sampleLinkSchema,
  sampleListSchema,
  threadCreateSchema,
  threadDraftSchema,
  threadImportSchema,
  threadListSchema,
  threadNoteSchema,
  threadReplySchema,
  threadResolveSchema,
  type MailDraft,
  type RawMessage,
  type ReplyDraft,
  type SampleDetail,
  type SampleImportResult,
  type SampleStats,
  type SampleListItem,
  type ThreadDetail,
  type ThreadImportResult,
  type ThreadSummary,
} from './evidence.js';
import {
  delistingAddSchema,
  delistingDecisionSchema,
  delistingDraftSchema,
  nominationAddSchema,
  nominationDecisionSchema,
  nominationDraftSchema,
  nominationImportSchema,
  queueFilterSchema,
  type CsvTemplate,
  type DelistingSummaryView,
  type DelistingView,
  type ImportResult,
  type NominationSummaryView,
  type NominationView,
  type QueuePage,
  type QueuesSummary,
} from './queues.js';
import { dashboardInputSchema, type DashboardView } from './dashboard.js';
import {
  enrolSchema,
  enrolStartSchema,
  investigatorNameSchema,
  inviteSchema,
  publisherKeyRegisterSchema,
  publisherKeyRevokeSchema,
  signInSchema,
  type ClientKind,
  type EnrolmentResult,
  type EnrolmentStart,
  type Invitation,
  type PersonView,
  type PublisherKeyView,
  type SessionView,
  type SignInResult,
} from './team.js';
import { MAX_BULK_LOOKUP, type BulkLookupAnswer } from './lookup.js';
import type { ListingCheck, ListingsImportPreview } from './listing-check.js';
import type { AddressAnswers, ListingPublication } from './published.js';

import { fileRefSchema } from './files.js';

/**
 * Errors cross every boundary as data, never as thrown exceptions. `busy`: the database stayed
 * locked by another writer past the wait the server allows, and the write was not made (HTTP 503
 * with Retry-After): try again. `too-large`: a body or an upload over its limit (HTTP 413).
 */
export type ErrorCode = 'invalid-input' | 'not-found' | 'forbidden' | 'conflict' | 'cancelled' | 'unauthenticated' | 'rate-limited' | 'busy' | 'too-large' | 'internal';

export interface ApiError {
  readonly code: ErrorCode;
  readonly message: string;
  /** Per-item problems, e.g. import lines: `line 12: "10.1": an IPv4 address needs exactly four decimal octets`. */
  readonly details?: readonly string[];
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const listSchema = z.enum(LISTS);
const reasonSchema = z.enum(REASONS);
const roleSchema = z.enum(ROLES);
const isoDateSchema = z.iso.datetime({ offset: true }).or(z.iso.date());
const idSchema = z.number().int().positive();
const whySchema = z.string().trim().min(1, 'a reason is required').max(2000);

/** A listing as the API shows it. */
export interface ListingView {
  readonly id: number;
  readonly list: ListName;
  /** Canonical text: address, CIDR or a-b range. */
  readonly range: string;
  readonly family: 4 | 6;
  readonly prefix: number | null;
  readonly reason: Reason;
  readonly investigator: string;
  readonly status: ListingStatus;
  readonly suppressedUntil: string | null;
  readonly txt: string | null;
  readonly level: number | null;
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface HistoryEventView {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly reason: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  /** The client the event's call came through, and the address it came from (null: not recorded, e.g. before 0010). */
  readonly client: ClientKind | null;
  readonly address: string | null;
}

/** A listing containing the looked-up address: what the one rule makes of it now, and its part in the answer there. */
export interface LookupListing extends ListingView, ListingPublication {}

export interface LookupResult {
  readonly ip: string;
  readonly family: 4 | 6;
  readonly notes: readonly string[];
  /** Every listing whose range contains the address, in id order. */
  readonly listings: readonly LookupListing[];
  /** What a mail server sees for the address, per list and in the combined zone (the rule publishing applies). */
  readonly answers: AddressAnswers;
}

export interface InvestigatorView {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly active: boolean;
  readonly createdAt: string;
}

export interface ImportSummary {
  readonly imported: number;
  /** Lines whose range already stood earlier in the file (imported once), and ranges already listed on the list (skipped). */
  readonly merged: number;
  readonly alreadyListed: number;
  readonly list: ListName;
  /** Normalisations made (host bits cleared, IPv4-mapped input), with line numbers. */
  readonly notes: readonly string[];
  readonly notesOmitted: number;
}

/** What a trap-hit ingest did. */
export interface QilIngestSummary {
  /** New observations stored; `repeated` were already stored (the same line ingested before). */
  readonly observations: number;
  readonly repeated: number;
  /** Distinct sources in the file, QIL listings created and listings whose expiry moved. */
  readonly sources: number;
  readonly created: number;
  readonly extended: number;
  /** Lines skipped with the reason (e.g. special-purpose space), with line numbers. */
  readonly notes: readonly string[];
  readonly notesOmitted: number;
}

/** A source's QIL score over time, its level L and the expiry of each level's listing. */
export interface QilScoreView {
  readonly ip: string;
  /** Trap hits stored for it, and its decayed score now. */
  readonly hits: number;
  readonly score: number;
  /** Why the sender counts as good (more tolerance at levels 1-3), or null. */
  readonly rating: 'GAL' | 'MML' | 'clean-history' | null;
  /** The least level at which it is listed now (null: not listed), that listing's expiry, and when the last level lapses. */
  readonly level: number | null;
  readonly expiresAt: string | null;
  readonly lapsesAt: string | null;
  readonly levels: ReadonlyArray<{ readonly level: number; readonly listed: boolean; readonly expiresAt: string | null; readonly listingId: number | null }>;
  /** The score after each hit, oldest first, and now (at most the latest 500 points). */
  readonly points: ReadonlyArray<{ readonly at: string; readonly score: number }>;
  /** The score each level lists at for this sender's rating (levels 1..4), and the decay half-life: what a chart draws. */
  readonly thresholds: readonly number[];
  readonly halfLifeHours: number;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly events: number;
  /** The first event whose stored hash or link does not match, and why. */
  readonly firstBroken: { readonly id: number; readonly problem: string } | null;
  /**
   * Events recorded outside the history that the chain was checked to still hold: signed
   * checkpoints (the checkpoint file's newest, each snapshot's), the last event of older
   * snapshots' manifests. `signedAt`: when the checkpoint was signed.
   */
  readonly anchors: ReadonlyArray<{ readonly source: string; readonly event: number; readonly signedAt?: string }>;
  /** Anchors that should be there and are missing, unreadable or not trusted: with any, `ok` is false. */
  readonly problems: readonly string[];
}

const listingAddSchema = z
  .object({
    range: z.string().min(1).max(200),
    list: listSchema,
    reason: reasonSchema,
    txt: z.string().max(1000).optional(),
    level: z.number().int().min(1).max(4).optional(),
    expires: isoDateSchema.optional(),
    why: z.string().max(2000).optional(),
  })
  .strict();

/** Operations that can run as a background job (worker thread) with progress and cancel. */
export const JOB_OPERATIONS = ['listings.importFile', 'listings.importPreview', 'publish.run', 'dul.preview', 'dul.commit', 'qil.ingest', 'listings.bulk', 'listings.export', 'samples.import', 'delisting.import'] as const;
export type JobOperation = (typeof JOB_OPERATIONS)[number];

const empty = z.object({}).strict();
const zoneSchema = z.string().min(1).max(200).regex(/^[A-Za-z0-9.-]+$/, 'a zone is a domain name');
const byId = z.object({ id: idSchema }).strict();
const serialSchema = z.number().int().positive();
/** A minisign key id as minisign prints it (hexadecimal, without leading zeros). */
const keyIdSchema = z.string().trim().regex(/^[0-9A-Fa-f]{1,16}$/, 'a key id is up to 16 hexadecimal digits, as minisign prints it');

/**
 * What an operation may do to the database. `read` operations run on any connection and never
 * wait for a writer (WAL); `write` operations change the records and are the ones a transport
 * may have to queue behind another writer, and after which the core refreshes what follows the
 * data (the address index, the dashboard, change notices). A background job's worker writes on
 * its own connection: starting or cancelling one is not itself a write.
 */
export type OperationAccess = 'read' | 'write';

/**
 * Whether a caller must hold a session (team mode): every operation needs one, except the few
 * that are how a person gets one (signing in, enrolling), which a server lets through unsigned.
 */
export type OperationSession = 'required' | 'none';

/** Declares one operation: what it may do, whether it needs a session, its input schema and (as a phantom type) its result. */
function operation<Result>(access: OperationAccess = 'read', session: OperationSession = 'required') {
  return <Input extends z.ZodType>(input: Input): { readonly access: OperationAccess; readonly session: OperationSession; readonly input: Input; readonly result: Result } => ({
    access,
    session,
    input,
    result: undefined as unknown as Result,
  });
}

export const contract = {
  'session.whoami': operation<{ actor: string | null; roles: readonly Role[]; session: SessionView | null }>()(empty),
  'auth.signIn': operation<SignInResult>('write', 'none')(signInSchema),
  'auth.signOut': operation<SessionView>('write')(empty),
  'auth.enrolStart': operation<EnrolmentStart>('write', 'none')(enrolStartSchema),
  'auth.enrol': operation<EnrolmentResult>('write', 'none')(enrolSchema),
  'team.invite': operation<Invitation>('write')(inviteSchema),
  'team.people': operation<readonly PersonView[]>()(empty),
  'team.sessions': operation<readonly SessionView[]>()(z.object({ name: z.string().trim().min(1).max(100).optional() }).strict()),
  'team.endSession': operation<SessionView>('write')(byId),
  'team.resetSecondFactor': operation<PersonView>('write')(z.object({ name: z.string().trim().min(1).max(100) }).strict()),
  'keys.register': operation<PublisherKeyView>('write')(publisherKeyRegisterSchema),
  'keys.list': operation<readonly PublisherKeyView[]>()(empty),
  'keys.revoke': operation<PublisherKeyView>('write')(publisherKeyRevokeSchema),
  lookup: operation<LookupResult>()(z.object({ ip: z.string().max(200) }).strict()),
  'lookup.bulk': operation<{ answers: readonly BulkLookupAnswer[] }>()(z.object({ ips: z.array(z.string().max(200)).min(1).max(MAX_BULK_LOOKUP) }).strict()),
  'listings.add': operation<{ listing: ListingView; notes: readonly string[] }>('write')(listingAddSchema),
  /** What `listings.add` would store and warn about, without writing (the New listing form's preview). */
  'listings.check': operation<ListingCheck>()(listingAddSchema),
  'listings.get': operation<ListingView>()(byId),
  'listings.history': operation<readonly HistoryEventView[]>()(byId),
  'listings.delist': operation<ListingView>('write')(z.object({ id: idSchema, why: whySchema }).strict()),
  'listings.importFile': operation<ImportSummary>('write')(
    z.object({ file: fileRefSchema, list: listSchema, reason: reasonSchema, txt: z.string().max(1000).optional() }).strict(),
  ),
  /** What `listings.importFile` would do with the same input, without writing (a background job). */
  'listings.importPreview': operation<ListingsImportPreview>()(
    z.object({ file: fileRefSchema, list: listSchema, reason: reasonSchema, txt: z.string().max(1000).optional() }).strict(),
  ),
  'investigators.list': operation<readonly InvestigatorView[]>()(empty),
  'investigators.add': operation<InvestigatorView>('write')(
    z.object({ name: investigatorNameSchema, roles: z.array(roleSchema).min(1).max(ROLES.length) }).strict(),
  ),
  'investigators.update': operation<InvestigatorView>('write')(
    z
      .object({ name: z.string().min(1).max(100), roles: z.array(roleSchema).min(1).max(ROLES.length).optional(), active: z.boolean().optional() })
      .strict(),
  ),
  'audit.verify': operation<AuditReport>()(
    // A snapshot folder is named on the command line only; public keys may be uploads too.
    z.object({ snapshot: fileRefSchema.optional(), pubkeys: z.array(fileRefSchema).max(16).optional() }).strict(),
  ),
  'publish.preview': operation<PublishPreview>()(z.object({ zone: zoneSchema.optional() }).strict()),
  'publish.run': operation<PublishResult>('write')(
    // `out` is a folder on the server's computer: the command line only (elsewhere the setting publish.outDir decides).
    z.object({ out: z.string().min(1).max(4096).optional(), zone: zoneSchema.optional(), approveLargeChange: z.boolean().optional() }).strict(),
  ),
  /**
   * Team mode, step one of a publish signed on the publisher's computer: check, write the zone
   * files and the manifest naming `keyId` (a registered key of the caller), and answer the
   * manifest's bytes to sign. Step two, `publish.commit`, sends the signature back.
   */
  'publish.prepare': operation<PreparedPublish>('write')(
    z.object({ keyId: keyIdSchema, zone: zoneSchema.optional(), approveLargeChange: z.boolean().optional() }).strict(),
  ),
  /** The signature over the prepared manifest: checked against the caller's registered keys, then the snapshot goes live. */
  'publish.commit': operation<PublishResult>('write')(z.object({ serial: serialSchema, signature: z.string().min(1).max(2048) }).strict()),
  /** Roll back a prepared snapshot its publisher decided not to sign. */
  'publish.abandon': operation<{ serial: number }>('write')(z.object({ serial: serialSchema }).strict()),
  'snapshots.list': operation<readonly SnapshotView[]>()(empty),
  'snapshots.changes': operation<{ total: number; listings: readonly ListingView[] }>()(
    z
      .object({
        serial: z.number().int().positive(),
        list: listSchema,
        kind: z.enum(['added', 'removed']),
        afterId: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
  ),
  'publish.approvals': operation<readonly PendingApproval[]>()(empty),
  'publish.approve': operation<PendingApproval>('write')(byId),
  'jobs.start': operation<JobView>()(z.object({ operation: z.enum(JOB_OPERATIONS), input: z.record(z.string(), z.unknown()) }).strict()),
  'jobs.get': operation<JobView>()(byId),
  'jobs.cancel': operation<JobView>()(byId),
  'jobs.list': operation<readonly JobView[]>()(empty),
  'qil.ingest': operation<QilIngestSummary>('write')(z.object({ file: fileRefSchema }).strict()),
  'qil.score': operation<QilScoreView>()(z.object({ ip: z.string().min(1).max(200) }).strict()),
  'isps.list': operation<readonly IspView[]>()(empty),
  'isps.get': operation<IspDetail>()(z.object({ name: z.string().min(1).max(200) }).strict()),
  'isps.ranges': operation<{ total: number; ranges: readonly IspRangeView[] }>()(
    z.object({ name: z.string().min(1).max(200), afterId: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  ),
  'isps.add': operation<IspView>('write')(ispAddSchema),
  'isps.update': operation<IspView>('write')(ispUpdateSchema),
  'dul.preview': operation<SubmissionPreview>()(submissionSchema),
  'dul.previewItems': operation<{ total: number; items: ReadonlyArray<string | RangeOverlap> }>()(previewItemsSchema),
  'dul.commit': operation<SubmissionResult>('write')(submissionSchema),
  'dul.revert': operation<RevertResult>('write')(byId),
  'dul.submission': operation<SubmissionView>()(byId),
  'listings.query': operation<ListingPage>()(listingQuerySchema),
  'listings.record': operation<RecordView>()(byId),
  'listings.related': operation<RelatedView>()(byId),
  'listings.edit': operation<EditResult>('write')(listingEditSchema),
  'listings.bulk': operation<BulkResult>('write')(bulkActionSchema),
  'listings.export': operation<CsvExport>()(exportSchema),
  'views.list': operation<readonly SavedView[]>()(empty),
  'views.save': operation<SavedView>('write')(savedViewSchema),
  'views.delete': operation<{ deleted: string }>('write')(z.object({ name: z.string().trim().min(1).max(100) }).strict()),
  'search.text': operation<readonly TextHit[]>()(textSearchSchema),
  'samples.import': operation<SampleImportResult>('write')(sampleImportSchema),
  'samples.list': operation<{ total: number; samples: readonly SampleListItem[] }>()(sampleListSchema),
  'samples.get': operation<SampleDetail>()(byId),
  'samples.raw': operation<RawMessage>()(byId),
  'samples.link': operation<SampleDetail['linkedListings']>('write')(sampleLinkSchema),
  'samples.createListing': operation<{ listingId: number; range: string }>('write')(sampleCreateListingSchema),
  'samples.stats': operation<SampleStats>()(z.object({ listingId: idSchema }).strict()),
  'threads.list': operation<readonly ThreadSummary[]>()(threadListSchema),
  'threads.get': operation<ThreadDetail>()(byId),
  'threads.create': operation<ThreadSummary>('write')(threadCreateSchema),
  'threads.import': operation<ThreadImportResult>('write')(threadImportSchema),
  'threads.note': operation<ThreadDetail>('write')(threadNoteSchema),
  'threads.draft': operation<ReplyDraft>()(threadDraftSchema),
  'threads.reply': operation<ThreadDetail>('write')(threadReplySchema),
  'threads.export': operation<RawMessage>()(byId),
  'threads.send': operation<{ response: string; accepted: readonly string[] }>('write')(byId),
  'threads.resolve': operation<ThreadSummary>('write')(threadResolveSchema),
  'nominations.add': operation<NominationView>('write')(nominationAddSchema),
  'nominations.import': operation<NominationView>('write')(nominationImportSchema),
  'nominations.templates': operation<Readonly<Record<'mtas' | 'helos', CsvTemplate>>>()(empty),
  'nominations.list': operation<QueuePage<NominationSummaryView>>()(queueFilterSchema),
  'nominations.get': operation<NominationView>()(byId),
  'nominations.open': operation<NominationView>('write')(byId),
  'nominations.draft': operation<MailDraft>()(nominationDraftSchema),
  'nominations.decide': operation<NominationView>('write')(nominationDecisionSchema),
  'delisting.add': operation<DelistingView>('write')(delistingAddSchema),
  'delisting.import': operation<ImportResult>('write')(z.object({ file: fileRefSchema }).strict()),
  'delisting.list': operation<QueuePage<DelistingSummaryView>>()(queueFilterSchema),
  'delisting.get': operation<DelistingView>()(byId),
  'delisting.draft': operation<MailDraft>()(delistingDraftSchema),
  'delisting.decide': operation<DelistingView>('write')(delistingDecisionSchema),
  'queues.summary': operation<QueuesSummary>()(empty),
  'dashboard.get': operation<DashboardView>()(dashboardInputSchema),
  'settings.get': operation<Settings>()(empty),
  'settings.update': operation<Settings>('write')(settingsPatchSchema),
};

export type Contract = typeof contract;
export type OperationName = keyof Contract;
export type OperationInput<Name extends OperationName> = z.infer<Contract[Name]['input']>;
export type OperationResult<Name extends OperationName> = Contract[Name]['result'];

/** The typed client every transport offers the UI: one async function per operation. */
export type ApiClient = {
  [Name in OperationName]: (input: OperationInput<Name>) => Promise<ApiResult<OperationResult<Name>>>;
};

export const OPERATION_NAMES = Object.keys(contract) as OperationName[];

/** Whether an operation changes the records (see `OperationAccess`). */
export function isWriteOperation(name: OperationName): boolean {
  return contract[name].access === 'write';
}

/** Whether an operation needs the caller to hold a session (false only for signing in and enrolling). */
export function needsSession(name: OperationName): boolean {
  return contract[name].session === 'required';
}

/** Whether a string names an operation of the contract. */
export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/** Validate a payload against an operation's schema; the message names each bad field. */
export function parseInput<Name extends OperationName>(name: Name, payload: unknown): ApiResult<OperationInput<Name>> {
  const parsed = contract[name].input.safeParse(payload ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as OperationInput<Name> };
  const details = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`);
  return { ok: false, error: { code: 'invalid-input', message: `${name}: ${details.join('; ')}`, details } };
}


/**
 * What each background job's operation returns: the operation's own result type in the contract
 * (`jobResultsMatchContract` below refuses to compile when the two differ or a job operation is
 * missing), so a job's result is typed by its operation.
 */
export interface JobResults {
  readonly 'listings.importFile': ImportSummary;
  readonly 'listings.importPreview': ListingsImportPreview;
  readonly 'publish.run': PublishResult;
  readonly 'dul.preview': SubmissionPreview;
  readonly 'dul.commit': SubmissionResult;
  readonly 'qil.ingest': QilIngestSummary;
  readonly 'listings.bulk': BulkResult;
  readonly 'listings.export': CsvExport;
  readonly 'samples.import': SampleImportResult;
  readonly 'delisting.import': ImportResult;
}

type IsSame<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time only: every job operation's result here is exactly its result in the contract. */
export const jobResultsMatchContract: { readonly [Operation in JobOperation]: IsSame<JobResults[Operation], OperationResult<Operation>> } = {
  'listings.importFile': true,
  'listings.importPreview': true,
  'publish.run': true,
  'dul.preview': true,
  'dul.commit': true,
  'qil.ingest': true,
  'listings.bulk': true,
  'listings.export': true,
  'samples.import': true,
  'delisting.import': true,
};

/** A background job of one operation, as the UI polls it: `result` is that operation's result once it is done. */
export interface JobViewOf<Operation extends JobOperation> {
  readonly id: number;
  readonly operation: Operation;
  readonly state: 'running' | 'done' | 'failed' | 'cancelled';
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  /** Units per second since the job started, and the estimated seconds left (null when unknown). */
  readonly rate: number | null;
  readonly etaSeconds: number | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly result: JobResults[Operation] | null;
  readonly error: ApiError | null;
}

/** A background job as the UI polls it: a union over the operations, narrowed by `operation`. */
export type JobView = { [Operation in JobOperation]: JobViewOf<Operation> }[JobOperation];
