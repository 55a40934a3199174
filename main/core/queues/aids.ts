/**
 * Investigation aids for a GAL nomination, computed when it is opened and stored with it: is
 * each IP listed (on which record), inside a DUL range, does its FQDN pass forward-confirmed
 * reverse DNS through the configured resolver, does a HELO string match the FQDN, and are
 * there spam samples from it. Each check carries its own run time.
 */
import { Resolver } from 'node:dns/promises';
import type { MtaAids, NominationMtaInput } from '../../../shared/queues.js';
import type { Settings } from '../../../shared/settings.js';
import type { ReadDb } from '../db/connection.js';
import { sql, type Sql } from '../db/sql.js';
import type { ListingIndex } from '../lookup/listing-index.js';
import { coveringListings, parseSingleAddress, type SingleAddress } from './common.js';

function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** The latest spam samples sent from an address (the investigation aids show them). */
export function samplesFromSql(address: SingleAddress): Sql {
  return sql`SELECT id FROM samples WHERE source_family = ${address.family} AND source_key = ${address.key} ORDER BY id DESC LIMIT 20`;
}

export interface FcrdnsResult {
  readonly ok: boolean;
  readonly result: string;
  readonly forward: readonly string[];
  readonly ptr: readonly string[];
}

function dnsFailure(error: unknown): string {
  const code = (error as { code?: string }).code ?? 'error';
  if (code === 'ENOTFOUND' || code === 'ENODATA') return 'no record';
  if (code === 'ETIMEOUT') return 'timed out';
  if (code === 'ECONNREFUSED') return 'resolver refused the connection';
  return code;
}

/**
 * Forward-confirmed reverse DNS: the FQDN's A (or AAAA) records include the IP, and the IP's
 * PTR names include the FQDN. Asks the resolvers of the setting queues.resolvers (the system's
 * when empty) with its timeout; a failure is a result ("timed out"), not an error.
 */
export async function checkFcrdns(fqdn: string, ip: string, family: 4 | 6, settings: Settings): Promise<FcrdnsResult> {
  const resolver = new Resolver({ timeout: settings.queues.dnsTimeoutMs, tries: 1 });
  if (settings.queues.resolvers.length > 0) resolver.setServers(settings.queues.resolvers);
  const name = normaliseName(fqdn);
  const [forward, ptr] = await Promise.all([
    (family === 4 ? resolver.resolve4(name) : resolver.resolve6(name)).then(
      (addresses) => ({ values: addresses.map((address) => parseSingleAddress(address)).flatMap((parsed) => (parsed.ok ? [parsed.value.ip] : [])), problem: null }),
      (error: unknown) => ({ values: [] as string[], problem: dnsFailure(error) }),
    ),
    resolver.reverse(ip).then(
      (names) => ({ values: names.map(normaliseName), problem: null }),
      (error: unknown) => ({ values: [] as string[], problem: dnsFailure(error) }),
    ),
  ]);
  const isForwardOk = forward.values.includes(ip);
  const isReverseOk = ptr.values.includes(name);
  const forwardText = forward.problem ? `${name} ${family === 4 ? 'A' : 'AAAA'}: ${forward.problem}` : `${name} resolves to ${forward.values.join(', ') || 'nothing'}`;
  const ptrText = ptr.problem ? `PTR of ${ip}: ${ptr.problem}` : `PTR of ${ip} is ${ptr.values.join(', ') || 'empty'}`;
  const verdict = isForwardOk && isReverseOk ? 'confirmed' : !isForwardOk && !isReverseOk ? 'not confirmed (neither direction matches)' : isForwardOk ? 'not confirmed (the PTR does not name the FQDN)' : 'not confirmed (the FQDN does not resolve to the IP)';
  return { ok: isForwardOk && isReverseOk, result: `${verdict}: ${forwardText}; ${ptrText}`, forward: forward.values, ptr: ptr.values };
}

/** Every aid for every MTA; DNS questions for all MTAs run at once. */
export async function computeAids(
  db: ReadDb,
  index: ListingIndex,
  mtas: readonly NominationMtaInput[],
  helos: readonly string[],
  settings: Settings,
  now: () => Date,
): Promise<MtaAids[]> {
  const heloNames = helos.map(normaliseName);
  return Promise.all(
    mtas.map(async (mta): Promise<MtaAids> => {
      const parsed = parseSingleAddress(mta.ip);
      if (!parsed.ok) throw new Error(`stored MTA ${mta.ip} is not an address: ${parsed.error}`);
      const address = parsed.value;
      const localAt = now().toISOString();
      // Listings removed for now count: they return by themselves, and approval must resolve them.
      const covering = coveringListings(db, index, address, now(), true);
      const blocklisted = covering.filter((listing) => listing.list !== 'GAL');
      const dul = covering.filter((listing) => listing.list === 'DUL');
      const sampleRows = db.all<{ id: number }>(samplesFromSql(address));
      const sampleCount = db.get<{ count: number }>(sql`SELECT count(*) AS count FROM samples WHERE source_family = ${address.family} AND source_key = ${address.key}`)?.count ?? 0;
      const fqdn = normaliseName(mta.fqdn);
      const matching = helos.filter((_, position) => heloNames[position] === fqdn);
      const fcrdns = await checkFcrdns(mta.fqdn, address.ip, address.family, settings);
      const dnsAt = now().toISOString();
      return {
        ip: address.ip,
        listed: {
          ok: blocklisted.length === 0,
          result:
            covering.length === 0
              ? 'not listed on any list'
              : covering
                  .map(
                    (listing) =>
                      `${listing.list} #${listing.id} ${listing.range} (${listing.reason}, by ${listing.investigator}${listing.standing === 'suppressed' ? `; removed until ${listing.suppressedUntil}, returns by itself` : ''})`,
                  )
                  .join('; '),
          at: localAt,
          listings: covering.map((listing) => ({ id: listing.id, list: listing.list, range: listing.range, status: listing.status })),
        },
        dul: {
          ok: dul.length === 0,
          result: dul.length === 0 ? 'not inside a DUL range' : `inside DUL range ${dul.map((listing) => `${listing.range} (#${listing.id})`).join(', ')}`,
          at: localAt,
        },
        fcrdns: { ...fcrdns, at: dnsAt },
        helo: {
          ok: matching.length > 0,
          result: matching.length > 0 ? `HELO ${matching.join(', ')} matches ${fqdn}` : helos.length === 0 ? 'no HELO strings given' : `no HELO string matches ${fqdn}`,
          at: localAt,
          matching,
        },
        samples: {
          ok: sampleCount === 0,
          result: sampleCount === 0 ? 'no spam samples from this IP' : `${sampleCount} spam sample${sampleCount === 1 ? '' : 's'} from this IP`,
          at: localAt,
          count: sampleCount,
          sampleIds: sampleRows.map((row) => row.id),
        },
      };
    }),
  );
}
