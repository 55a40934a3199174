/**
 * Review queues: 100,000 delisting requests imported from one CSV (validated, routed through the
 * in-memory index to the investigator of the most specific of 20,000 listings, one transaction),
 * then what a reviewer's screens ask of that queue: a page, the dashboard summary, one request;
 * and a 1,000-MTA nomination bundle imported and opened (its checks computed).
 */
import { logCopiedBack } from './settle-log.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatAddress } from '../../shared/address.js';
import { createCore } from '../../main/core/app.js';
import { publicIpv4, seededRandom } from './generate.js';

const REQUESTS = 100_000;
const LISTINGS = 20_000;
const MTAS = 1_000;

function must<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

export async function benchQueues(folder: string, print: (label: string, value: string, target: string) => void): Promise<void> {
  const now = Date.UTC(2026, 10, 28, 12);
  const core = createCore({ databasePath: join(folder, 'queues.sqlite'), now: () => new Date(now) });
  try {
    must(await core.dispatch('investigators.add', { name: 'admin', roles: ['investigator'] }, { actor: null }));
    for (const name of ['ann', 'ben', 'cat', 'dan', 'rev']) must(await core.dispatch('investigators.add', { name, roles: [name === 'rev' ? 'reviewer' : 'investigator'] }, { actor: 'admin' }));
    must(await core.dispatch('settings.update', { queues: { resolvers: ['127.0.0.1:9'], dnsTimeoutMs: 300, maxNominationEntries: MTAS } }, { actor: 'admin' }));
    // Listings: /24s of distinct public space, each by one of four investigators (written through the listings import).
    const random = seededRandom(6);
    const blocks = new Set<number>();
    while (blocks.size < LISTINGS) blocks.add(publicIpv4(random) & 0xffffff00);
    const blockList = [...blocks];
    const investigators = ['ann', 'ben', 'cat', 'dan'];
    for (const [position, name] of investigators.entries()) {
      const part = blockList.filter((_, index) => index % investigators.length === position);
      writeFileSync(join(folder, `${name}.txt`), `${part.map((block) => `${formatAddress(4, BigInt(block))}/24`).join('\n')}\n`);
      must(await core.dispatch('listings.importFile', { file: { path: join(folder, `${name}.txt`) }, list: 'RBL', reason: 'spam-source' }, { actor: name, localFiles: true }));
    }
    const rows = ['ip,requester,reason,received'];
    for (let index = 0; index < REQUESTS; index += 1) {
      // Nine in ten inside a listing, one in ten elsewhere (closes itself).
      const value = index % 10 === 9 ? publicIpv4(random) : blockList[Math.floor(random() * blockList.length)] + 1 + Math.floor(random() * 250);
      rows.push(`${formatAddress(4, BigInt(value))},ops${index % 97}@isp${index % 13}.example,cleaned up,2026-11-${String(20 + (index % 8)).padStart(2, '0')}`);
    }
    const file = join(folder, 'requests.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    let started = performance.now();
    const imported = must(await core.dispatch('delisting.import', { file: { path: file } }, { actor: 'rev', localFiles: true }));
    print(`import ${REQUESTS / 1000}k delisting requests (routed)`, `${((performance.now() - started) / 1000).toFixed(2)} s`, 'under 10 s');
    print('  of which closed (unlisted)', `${imported.closed}`, 'about 10%');
    print('  log copied back into the file after it answered (then the rest)', `${logCopiedBack(core.connection).toFixed(2)} s`, 'informational');
    started = performance.now();
    const page = must(await core.dispatch('delisting.list', { status: 'open', assignee: 'ann', limit: 200 }, { actor: 'ann' }));
    print('queue page: 200 open requests of one assignee', `${(performance.now() - started).toFixed(0)} ms`, 'under 200 ms');
    started = performance.now();
    must(await core.dispatch('delisting.list', { age: 'overdue', limit: 200 }, { actor: 'ann' }));
    print('queue page: 200 overdue requests', `${(performance.now() - started).toFixed(0)} ms`, 'under 200 ms');
    started = performance.now();
    must(await core.dispatch('queues.summary', {}, { actor: 'ann' }));
    print(`dashboard summary over ${(REQUESTS - imported.closed) / 1000}k open requests`, `${(performance.now() - started).toFixed(0)} ms`, 'under 500 ms');
    started = performance.now();
    must(await core.dispatch('delisting.get', { id: page.items[0].id }, { actor: 'ann' }));
    print('one request with listings, history, prior requests', `${(performance.now() - started).toFixed(1)} ms`, 'under 100 ms');

    const mtas = ['ip,fqdn,email_domain,company,country,company_type'];
    for (let index = 0; index < MTAS; index += 1) mtas.push(`${formatAddress(4, BigInt(publicIpv4(random)))},mx${index}.sender.example,sender.example,Sender,NL,ESP`);
    writeFileSync(join(folder, 'mtas.csv'), `${mtas.join('\n')}\n`);
    writeFileSync(join(folder, 'bundle.json'), JSON.stringify({ contact: { email: 'a@sender.example', firstName: 'A', lastName: 'B' }, mtas: 'mtas.csv' }));
    started = performance.now();
    const nomination = must(await core.dispatch('nominations.import', { bundle: { path: join(folder, 'bundle.json') } }, { actor: 'rev', localFiles: true }));
    print(`nomination bundle with ${MTAS} MTAs`, `${(performance.now() - started).toFixed(0)} ms`, 'under 1 s');
    started = performance.now();
    must(await core.dispatch('nominations.open', { id: nomination.id }, { actor: 'rev' }));
    print(`open it: checks for ${MTAS} MTAs (DNS refused locally)`, `${((performance.now() - started) / 1000).toFixed(2)} s`, 'under 5 s');
    global.gc?.();
    print('process RSS', `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`, 'under 500 MB');
  } finally {
    core.close();
  }
}
