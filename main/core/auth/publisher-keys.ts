/**
 * The publisher key registry: the minisign public keys with which the team's publishers sign
 * snapshot manifests on their own computers (in team mode the server never holds a signing key).
 * Admins register them (several per publisher, so a key can be rotated) and revoke them, each
 * in the history; `verifyPublisherSignature` checks a signature over manifest bytes against the
 * registered, unrevoked keys of one publisher, who must still be an active publisher.
 */
import type { PublisherKeyView } from '../../../shared/team.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { conflict, forbidden, invalidInput, notFound } from '../errors.js';
import { openHistory } from '../audit/history.js';
import { findActor, requireActor } from '../investigators/investigators.js';
import { MinisignError, formatKeyId, parsePublicKey, verify } from '../snapshot/index.js';

interface KeyRow {
  id: number;
  key_id: Buffer;
  investigator_id: number;
  publisher: string;
  public_key: string;
  registered_at: string;
  registered_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

const KEY_COLUMNS = sql`k.id, k.key_id, k.investigator_id, i.name AS publisher, k.public_key, k.registered_at, k.registered_by, k.revoked_at, k.revoked_by`;

function toView(row: KeyRow): PublisherKeyView {
  return {
    keyId: formatKeyId(row.key_id),
    publisher: row.publisher,
    publicKey: row.public_key,
    registeredAt: row.registered_at,
    registeredBy: row.registered_by,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  };
}

/** Every registered key, in force first, newest first. */
export function listPublisherKeys(db: ReadDb): PublisherKeyView[] {
  return db
    .all<KeyRow>(sql`SELECT ${KEY_COLUMNS} FROM publisher_keys k JOIN investigators i ON i.id = k.investigator_id ORDER BY k.revoked_at IS NOT NULL, k.id DESC`)
    .map(toView);
}

/** Register a publisher's minisign public key (the text of a `.pub` file, or its base64 line); admins only. */
export function registerPublisherKey(db: WriteDb, actorName: string | null, input: { publisher: string; publicKey: string }, now: Date): PublisherKeyView {
  let parsed: ReturnType<typeof parsePublicKey>;
  try {
    parsed = parsePublicKey(input.publicKey);
  } catch (error) {
    if (error instanceof MinisignError) throw invalidInput(`not a minisign public key: ${error.message}`);
    throw error;
  }
  const keyId = formatKeyId(parsed.keyId);
  return db.transaction(() => {
    const actor = requireActor(db, actorName, 'admin');
    const publisher = findActor(db, input.publisher);
    if (!publisher) throw notFound(`no active investigator named ${JSON.stringify(input.publisher)}`);
    if (!publisher.roles.includes('publisher')) throw conflict(`${publisher.name} does not have the publisher role: give it first (investigator update)`);
    const existing = db.get<KeyRow>(sql`SELECT ${KEY_COLUMNS} FROM publisher_keys k JOIN investigators i ON i.id = k.investigator_id WHERE k.key_id = ${parsed.keyId}`);
    if (existing) {
      throw conflict(`key ${keyId} is already registered to ${existing.publisher}${existing.revoked_at ? ` and was revoked at ${existing.revoked_at}; a revoked key is not taken back: make a new one` : ''}`);
    }
    const at = now.toISOString();
    // Stored as minisign writes the key line, so what is listed is what `minisign -P` takes.
    const line = input.publicKey.split(/\r?\n/).map((text) => text.trim()).filter((text) => text !== '' && !text.startsWith('untrusted comment:'))[0];
    const result = db.run(
      sql`INSERT INTO publisher_keys (key_id, investigator_id, public_key, registered_at, registered_by) VALUES (${parsed.keyId}, ${publisher.id}, ${line}, ${at}, ${actor.name})`,
    );
    openHistory(db, () => at).append({
      actor: actor.name,
      action: 'publisher-key.registered',
      subjectType: 'investigator',
      subjectId: publisher.id,
      details: { keyId, publisher: publisher.name },
    });
    return toView(db.get<KeyRow>(sql`SELECT ${KEY_COLUMNS} FROM publisher_keys k JOIN investigators i ON i.id = k.investigator_id WHERE k.id = ${Number(result.lastInsertRowid)}`) as KeyRow);
  });
}

/** Revoke a key by its id as minisign prints it (any case); admins only. Signatures by it are refused from then on. */
export function revokePublisherKey(db: WriteDb, actorName: string | null, keyIdText: string, now: Date): PublisherKeyView {
  return db.transaction(() => {
    const actor = requireActor(db, actorName, 'admin');
    const wanted = keyIdText.trim().toUpperCase().replace(/^0+(?=.)/, '');
    const row = db.all<KeyRow>(sql`SELECT ${KEY_COLUMNS} FROM publisher_keys k JOIN investigators i ON i.id = k.investigator_id`).find((candidate) => formatKeyId(candidate.key_id) === wanted);
    if (!row) throw notFound(`no registered key ${JSON.stringify(keyIdText)}`);
    if (row.revoked_at !== null) throw conflict(`key ${wanted} was already revoked at ${row.revoked_at} by ${row.revoked_by}`);
    const at = now.toISOString();
    db.run(sql`UPDATE publisher_keys SET revoked_at = ${at}, revoked_by = ${actor.name} WHERE id = ${row.id}`);
    openHistory(db, () => at).append({
      actor: actor.name,
      action: 'publisher-key.revoked',
      subjectType: 'investigator',
      subjectId: row.investigator_id,
      details: { keyId: wanted, publisher: row.publisher },
    });
    return toView({ ...row, revoked_at: at, revoked_by: actor.name });
  });
}

/**
 * Check a minisign signature (the `.minisig` text) over manifest bytes against the registered,
 * unrevoked keys of `publisher`, who must be an active investigator with the publisher role.
 * Refused (`forbidden`) naming the problem: not a publisher, no key in force, a key that is not
 * theirs or was revoked, a signature over other bytes, a malformed signature.
 */
export function verifyPublisherSignature(db: ReadDb, publisher: string, manifest: Buffer, signature: string): { keyId: string; trustedComment: string } {
  const person = findActor(db, publisher);
  if (!person || !person.roles.includes('publisher')) throw forbidden(`${JSON.stringify(publisher)} is not an active publisher`);
  const keys = db
    .all<KeyRow>(sql`SELECT ${KEY_COLUMNS} FROM publisher_keys k JOIN investigators i ON i.id = k.investigator_id WHERE k.investigator_id = ${person.id} AND k.revoked_at IS NULL`)
    .map((row) => parsePublicKey(row.public_key));
  if (keys.length === 0) throw forbidden(`${person.name} has no registered publisher key in force: an admin registers one (repdesk keys register)`);
  try {
    return verify(signature, manifest, keys);
  } catch (error) {
    if (error instanceof MinisignError) throw forbidden(`the signature is refused: ${error.message}`);
    throw error;
  }
}
