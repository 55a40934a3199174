/**
 * 0015: the publisher key registry. In team mode the server never holds a signing key: a
 * publisher signs snapshot manifests on their own computer, and the server checks the signature
 * against the minisign public keys an admin registered for that publisher (several at once, for
 * a rotation). A revoked key stays listed, with who revoked it and when.
 */
export const migration = {
  version: 15,
  name: 'publisher-keys',
  sql: `
CREATE TABLE publisher_keys (
  id INTEGER PRIMARY KEY,
  -- minisign's key id (8 bytes), unique across publishers: a signature names its key by it.
  key_id BLOB NOT NULL UNIQUE,
  investigator_id INTEGER NOT NULL REFERENCES investigators(id),
  -- The public key line as minisign writes it (base64 of "Ed", the key id and the Ed25519 key).
  public_key TEXT NOT NULL,
  registered_at TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  revoked_at TEXT,
  revoked_by TEXT
) STRICT;

CREATE INDEX publisher_keys_in_force ON publisher_keys (investigator_id) WHERE revoked_at IS NULL;
`,
};
