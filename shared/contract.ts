/**
 * The API contract: every operation the UI, the CLI and the tests may call, declared once with
 * the schema of its input and the type of its result. The core implements this map; Electron
 * IPC and the HTTP server dispatch through it, and refuse a payload that fails its schema.
 */
import { z } from './zod.js';
import { LISTS, REASONS, ROLES, type Role } from './domain.js';
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
  type EnrolmentResult,
  type EnrolmentStart,
  type Invitation,
  type PersonView,
  type PublisherKeyView,
  type SessionView,
  type InvestigatorView,
  type SignInResult,
} from './team.js';
import { MAX_BULK_LOOKUP, type BulkLookupAnswer, type LookupResult } from './lookup.js';
import type { ApiResult } from './result.js';
import type { HistoryEventView, ImportSummary, ListingView } from './listings.js';
import type { AuditReport } from './audit.js';
import type { QilIngestSummary, QilScoreView } from './qil.js';
import { JOB_OPERATIONS, type JobOperation, type JobResults, type JobView } from './jobs.js';
import type { ListingCheck, ListingsImportPreview } from './listing-check.js';
import { fileRefSchema } from './files.js';

const listSchema = z.enum(LISTS);
const reasonSchema = z.enum(REASONS);
const roleSchema = z.enum(ROLES);
const isoDateSchema = z.iso.datetime({ offset: true }).or(z.iso.date());
const idSchema = z.number().int().positive();
const whySchema = z.string().trim().min(1, 'a reason is required').max(2000);

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

type IsSame<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * Compile-time only: every background job's result (`JobResults` in jobs.ts) is exactly its
 * operation's result in the contract, and no job operation is missing.
 */
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

