/**
 * Full-text search over listings (TXT, notes) and their evidence: spam samples (through
 * sample_links) and correspondence (through threads.listing_id), for the palette.
 */
import type { TextHit } from '../../../shared/workbench.js';
import type { ReadDb } from '../db/connection.js';
import { sql } from '../db/sql.js';
import { committedSql } from '../rule/unfinished.js';
import { ftsQuery } from './query.js';

const SNIPPET_WORDS = 12;

export function searchText(db: ReadDb, q: string, limit: number): TextHit[] {
  const match = ftsQuery(q);
  const listings = db.all<{ id: number; snippet: string }>(
    sql`SELECT rowid AS id, snippet(listings_fts, -1, '[', ']', '…', ${SNIPPET_WORDS}) AS snippet FROM listings_fts
      WHERE listings_fts MATCH ${match} AND (NOT EXISTS (SELECT 1 FROM listing_imports) OR listings_fts.rowid IN (SELECT l.id FROM listings l WHERE ${committedSql('l')}))
      ORDER BY rank LIMIT ${limit}`,
  );
  // The FTS tables name their columns as their content tables do, so snippet() reads the text back.
  const samples = db.all<{ id: number; snippet: string; listings: string }>(
    sql`SELECT s.id, snippet(samples_fts, -1, '[', ']', '…', ${SNIPPET_WORDS}) AS snippet,
        (SELECT json_group_array(listing_id) FROM sample_links WHERE sample_id = s.id) AS listings
      FROM samples_fts JOIN samples s ON s.id = samples_fts.rowid WHERE samples_fts MATCH ${match} ORDER BY rank LIMIT ${limit}`,
  );
  const messages = db.all<{ id: number; snippet: string; listing: number | null }>(
    sql`SELECT m.id, snippet(thread_messages_fts, -1, '[', ']', '…', ${SNIPPET_WORDS}) AS snippet, t.listing_id AS listing
      FROM thread_messages_fts JOIN thread_messages m ON m.id = thread_messages_fts.rowid JOIN threads t ON t.id = m.thread_id
      WHERE thread_messages_fts MATCH ${match} AND t.listing_id IS NOT NULL ORDER BY rank LIMIT ${limit}`,
  );
  const hits: TextHit[] = [
    ...listings.map((row): TextHit => ({ kind: 'listing', id: row.id, listingIds: [row.id], snippet: row.snippet })),
    ...samples
      .map((row): TextHit => ({ kind: 'sample', id: row.id, listingIds: (JSON.parse(row.listings) as number[]).sort((a, b) => a - b), snippet: row.snippet }))
      .filter((hit) => hit.listingIds.length > 0),
    ...messages.map((row): TextHit => ({ kind: 'message', id: row.id, listingIds: row.listing === null ? [] : [row.listing], snippet: row.snippet })),
  ];
  return hits.slice(0, limit);
}
