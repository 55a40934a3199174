/**
 * 0020: a large import fills the messages' full-text index once at the end (evidence/mail.ts,
 * withMessagesIndexedAtEnd). It used to drop the insert trigger and create it again, and a
 * schema change makes SQLite prepare every statement of every connection again on its next run
 * (the first request opened after a delisting import paid ~0.3 ms for it). Now the trigger stands
 * aside while this table holds a row: the import writes that row and deletes it again inside its
 * own transaction, so no other connection ever sees it, and the schema stays as it is.
 */
export const migration = {
  version: 20,
  name: 'messages-indexed-at-end',
  sql: `
CREATE TABLE messages_indexed_at_end (
  id INTEGER PRIMARY KEY CHECK (id = 1)
) STRICT;

DROP TRIGGER thread_messages_fts_insert;
CREATE TRIGGER thread_messages_fts_insert AFTER INSERT ON thread_messages
WHEN NOT EXISTS (SELECT 1 FROM messages_indexed_at_end)
BEGIN
  INSERT INTO thread_messages_fts (rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;
`,
};
