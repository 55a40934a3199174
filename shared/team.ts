/**
 * People and sign-in: the types and schemas shared by the core, the transports and the UI
 * (accounts, enrolment, sessions, the publisher key registry).
 */
import { z } from './zod.js';
import { ROLES, type Role } from './domain.js';

/**
 * The client a call came through: the desktop app, a browser, the command line, or the server
 * itself doing its own work (start-up checks, scheduled work). Recorded with every history event.
 */
export const CLIENTS = ['desktop', 'browser', 'cli', 'server'] as const;
export type ClientKind = (typeof CLIENTS)[number];

/** Where an event's call came from, as views and the CLI print it: `browser from 81.2.3.4`, `cli`, or '' when not recorded. */
export function describeOrigin(origin: { readonly client: ClientKind | null; readonly address: string | null }): string {
  if (origin.client === null && origin.address === null) return '';
  return [origin.client ?? 'unknown client', origin.address === null ? null : `from ${origin.address}`].filter((part) => part !== null).join(' ');
}

/**
 * A person's name as the team knows them (investigators are the accounts): letters, digits,
 * spaces and . _ ' - only.
 */
export const investigatorNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\p{L}\p{N} ._'-]+$/u, "a name has letters, digits, spaces and . _ ' - only");

/** How a session's token travels: a browser keeps it in a cookie, the desktop app and the CLI send it as a bearer token. */
export const SESSION_KINDS = ['cookie', 'bearer'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** The most a passphrase may be (scrypt takes any length; this only bounds a request). */
export const MAX_PASSPHRASE_LENGTH = 1024;

/** Invite a person (new, with roles; or already on the team, to give them a new enrolment code). */
export const inviteSchema = z.object({ name: investigatorNameSchema, roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length).optional() }).strict();

/** An enrolment code as people type it (any case, with or without the dashes). */
const enrolmentCodeSchema = z.string().trim().min(1).max(100);

export const enrolStartSchema = z.object({ code: enrolmentCodeSchema }).strict();

export const enrolSchema = z
  .object({
    code: enrolmentCodeSchema,
    passphrase: z.string().max(MAX_PASSPHRASE_LENGTH),
    /** The current code of the authenticator app set up from `auth.enrolStart`'s URI: adds the second factor. */
    totpCode: z.string().trim().regex(/^\d{6}$/, 'an authenticator code is 6 digits').optional(),
  })
  .strict();

export const signInSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    passphrase: z.string().min(1).max(MAX_PASSPHRASE_LENGTH),
    /** The authenticator's 6-digit code, or one of the recovery codes. */
    secondFactor: z.string().trim().min(1).max(64).optional(),
  })
  .strict();

/**
 * The `details` marker of a team server's refusal for want of a session (none, or one no longer
 * valid): a browser's page then shows its sign-in screen. Browser mode's refusals (a missing
 * token) do not carry it.
 */
export const SIGN_IN_NEEDED = 'sign-in-needed';

/** The `details` marker of a sign-in refused because the account has a second factor and none was given. */
export const SECOND_FACTOR_NEEDED = 'second-factor-needed';

/** What an admin gets from an invitation: the code, shown this once (only its hash is kept). */
export interface Invitation {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly code: string;
  readonly expiresAt: string;
}

/** What a person sees when they open their enrolment code. */
export interface EnrolmentStart {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly expiresAt: string;
  readonly minPassphraseLength: number;
  /** Whether the person's roles need a second factor (the `auth.secondFactorRoles` setting). */
  readonly secondFactorRequired: boolean;
  /** The TOTP secret offered (RFC 6238: SHA-1, 30 s, 6 digits), base32, and the URI an authenticator app reads. */
  readonly totpSecret: string;
  readonly otpauthUri: string;
}

export interface EnrolmentResult {
  readonly name: string;
  readonly secondFactor: boolean;
  /** One-time recovery codes, shown this once (only their hashes are kept); null without a second factor. */
  readonly recoveryCodes: readonly string[] | null;
}

/** A session as the API shows it (never its token). */
export interface SessionView {
  readonly id: number;
  readonly person: string;
  readonly kind: SessionKind;
  readonly client: ClientKind | null;
  readonly address: string | null;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  /** When it ends unless used again (idle lifetime), and the latest it can last (absolute lifetime). */
  readonly idleExpiresAt: string;
  readonly expiresAt: string;
  /** Whether it is the session of the call that asked. */
  readonly isCurrent: boolean;
}

export interface SignInResult {
  /** The session's token, given this once (only its hash is kept). */
  readonly token: string;
  readonly session: SessionView;
  readonly roles: readonly Role[];
}

/** One person as the Team page shows them. */
export interface PersonView {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly active: boolean;
  readonly createdAt: string;
  /** Whether the person has set a passphrase (enrolled). */
  readonly isEnrolled: boolean;
  readonly hasSecondFactor: boolean;
  readonly recoveryCodesLeft: number;
  /** Whether the person's roles need a second factor that they do not have yet. */
  readonly needsSecondFactor: boolean;
  /** An enrolment code waiting to be used, by when. */
  readonly invitationExpiresAt: string | null;
  /** Sign-in locked after repeated failures, until when. */
  readonly lockedUntil: string | null;
  readonly activeSessions: number;
  readonly lastSignInAt: string | null;
}

/** A publisher's registered minisign public key (the server checks snapshot signatures against these). */
export interface PublisherKeyView {
  /** The key id as minisign prints it. */
  readonly keyId: string;
  readonly publisher: string;
  /** The public key line, as `minisign -P` takes it. */
  readonly publicKey: string;
  readonly registeredAt: string;
  readonly registeredBy: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
}

/** Register a publisher's minisign public key: the text of the `.pub` file (or its base64 line), never a path. */
export const publisherKeyRegisterSchema = z.object({ publisher: z.string().trim().min(1).max(100), publicKey: z.string().min(1).max(2000) }).strict();

/** A key id as minisign prints it (up to 16 hex digits). */
export const publisherKeyRevokeSchema = z.object({ keyId: z.string().trim().regex(/^[0-9A-Fa-f]{1,16}$/, 'a key id is up to 16 hex digits, as minisign prints it') }).strict();

export interface InvestigatorView {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly active: boolean;
  readonly createdAt: string;
}
