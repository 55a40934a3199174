/**
 * Full-text search over listings (TXT, notes) and their evidence: spam samples (through
 * sample_links) and correspondence (through threads.listing_id), for the palette.
 */
import type { TextHit } from '../../../shared/workbench.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { ftsQuery } from './query.js';

const SNIPPET_WORDS = 12;

export function searchText(db: ReadDb, q: string, limit: number): TextHit[] {
  const match = ftsQuery(q);
  const listings = db.all<{ id: number; snippet: string }>(
    sql`SELECT rowid AS id, snippet(listings_fts, -1, '[', ']', '…', ${SNIPPET_WORDS}) AS snippet FROM listings_fts WHERE listings_fts MATCH ${match} ORDER BY rank LIMIT ${limit}`,
  );
  // snippet() cannot be used on the evidence tables: their FTS columns are named `body` while the
  // content tables' columns are `body_text`, so FTS5 cannot read the text back. The excerpt is cut here.
  const samples = db.all<{ id: number; subject: string | null; body: string | null; listings: string }>(
    sql`SELECT s.id, s.subject, s.body_text AS body,
        (SELECT json_group_array(listing_id) FROM sample_links WHERE sample_id = s.id) AS listings
      FROM samples_fts JOIN samples s ON s.id = samples_fts.rowid WHERE samples_fts MATCH ${match} ORDER BY rank LIMIT ${limit}`,
  );
  const messages = db.all<{ id: number; subject: string | null; body: string | null; listing: number | null }>(
    sql`SELECT m.id, m.subject, m.body_text AS body, t.listing_id AS listing
      FROM thread_messages_fts JOIN thread_messages m ON m.id = thread_messages_fts.rowid JOIN threads t ON t.id = m.thread_id
      WHERE thread_messages_fts MATCH ${match} AND t.listing_id IS NOT NULL ORDER BY rank LIMIT ${limit}`,
  );
  const words = q.toLowerCase().split(/\s+/).filter((word) => word !== '');
  const excerpt = (subject: string | null, body: string | null) => excerptAround(`${subject ?? ''} — ${body ?? ''}`, words);
  const hits: TextHit[] = [
    ...listings.map((row): TextHit => ({ kind: 'listing', id: row.id, listingIds: [row.id], snippet: row.snippet })),
    ...samples
      .map((row): TextHit => ({ kind: 'sample', id: row.id, listingIds: (JSON.parse(row.listings) as number[]).sort((a, b) => a - b), snippet: excerpt(row.subject, row.body) }))
      .filter((hit) => hit.listingIds.length > 0),
    ...messages.map((row): TextHit => ({ kind: 'message', id: row.id, listingIds: row.listing === null ? [] : [row.listing], snippet: excerpt(row.subject, row.body) })),
  ];
  return hits.slice(0, limit);
}

const EXCERPT_CHARACTERS = 80;

/** About 80 characters around the first word found (case-insensitive), the word in [brackets]. */
export function excerptAround(text: string, words: readonly string[]): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const lower = flat.toLowerCase();
  let at = -1;
  let length = 0;
  for (const word of words) {
    const found = lower.indexOf(word);
    if (found !== -1 && (at === -1 || found < at)) {
      at = found;
      length = word.length;
    }
  }
  if (at === -1) return flat.slice(0, EXCERPT_CHARACTERS);
  const start = Math.max(0, at - EXCERPT_CHARACTERS / 2);
  const end = Math.min(flat.length, at + length + EXCERPT_CHARACTERS / 2);
  return `${start > 0 ? '…' : ''}${flat.slice(start, at)}[${flat.slice(at, at + length)}]${flat.slice(at + length, end)}${end < flat.length ? '…' : ''}`;
}
