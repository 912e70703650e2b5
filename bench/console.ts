/**
 * Web console page times (`npm run bench:console`; never part of `npm test`). See bench/README.md.
 *
 * A /16 filled with 60,000 allocations (bench/fill.ts), then the network page, its last
 * allocations page, the address-map ranges page and the dashboard are fetched over HTTP as a
 * logged-in administrator; the server's own time per page comes from the Server-Timing header
 * the console sets. Measured contiguous (one run of 60,000), fragmented (every third address
 * released: ~20,000 runs) and for an IPv6 /64 with 60,000 allocations.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rebuildFreeRanges } from '../src/logic/topology/free-space';
import type { Network } from '../src/logic/core/model';
import { addDataCenter, addNetwork, addTenant, addZone } from '../src/logic/topology/topology';
import { addUser } from '../src/logic/access/users';
import { ROOT } from '../src/paths';
import { openBackend, type BackendKind, type BenchBackend } from './backend';
import { fillNetwork } from './fill';
import { round, summarize, type Summary } from './stats';

const BACKENDS = (process.env.BENCH_BACKENDS ?? 'postgres,embedded')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean) as BackendKind[];
const COUNT = Number(process.env.BENCH_CONSOLE_ALLOCATIONS ?? 60_000);
const SAMPLES = Number(process.env.BENCH_CONSOLE_SAMPLES ?? 20);
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const USER = { username: 'bench-admin', password: 'bench-admin-password-1' };

const log = (msg: string) => process.stderr.write(`[bench:console ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface Row {
  backend: BackendKind;
  scenario: string;
  page: string;
  bytes: number;
  server: Summary;
  wall: Summary;
}

async function login(base: string): Promise<string> {
  const form = await fetch(`${base}/ui/login`);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const loginCookie = form.headers
    .getSetCookie()
    .find((c) => c.startsWith('ipcd_login='))!
    .split(';')[0];
  const res = await fetch(`${base}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
    body: new URLSearchParams({ _csrf: token, ...USER }),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('ipcd_session='));
  if (!session) throw new Error(`login failed: HTTP ${res.status}`);
  return session.split(';')[0];
}

async function measure(
  base: string,
  cookie: string,
  path: string,
): Promise<{ server: Summary; wall: Summary; bytes: number }> {
  const server: number[] = [];
  const wall: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SAMPLES + 3; i++) {
    const t = process.hrtime.bigint();
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const body = await res.text();
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`);
    const dur = /app;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
    if (!dur) throw new Error(`GET ${path}: no Server-Timing header`);
    if (i < 3) continue; // warm-up
    server.push(Number(dur[1]));
    wall.push(ms);
    bytes = body.length;
  }
  return { server: summarize(server), wall: summarize(wall), bytes };
}

async function pages(
  b: BenchBackend,
  base: string,
  cookie: string,
  scenario: string,
  n: Network,
  rows: Row[],
): Promise<void> {
  const path = `/ui/networks/${encodeURIComponent(n.name)}`;
  const ranges =
    (await (await fetch(`${base}${path}`, { headers: { cookie } })).text()).match(
      /Ranges [\d,]+–[\d,]+ of ([\d,]+)/,
    )?.[1] ?? '?';
  log(`${b.kind} ${scenario}: ${ranges} map ranges`);
  const list: [string, string][] = [
    ['network page', path],
    ['network page, ranges 10,000+', `${path}?ranges=10000`],
    ['dashboard', '/ui/'],
  ];
  for (const [page, p] of list) {
    const r = await measure(base, cookie, p);
    rows.push({ backend: b.kind, scenario: `${scenario} (${ranges} ranges)`, page, ...r });
    log(`${b.kind} ${scenario} ${page}: server p50 ${round(r.server.p50)} ms, max ${round(r.server.max)} ms`);
  }
}

async function run(kind: BackendKind, rows: Row[]): Promise<void> {
  const b = await openBackend(kind, { pgAdminUrl: PG_ADMIN_URL, poolSize: 10 });
  try {
    const base = b.url.replace(/\/ipcd$/, '');
    await addDataCenter(b.store, 'dc1');
    await addZone(b.store, 'bench.test');
    await addZone(b.store, 'v6.bench.test'); // fillNetwork numbers names from 1 in each zone
    await addTenant(b.store, 'acme');
    for (let i = 0; i < 40; i++) {
      await addNetwork(b.store, {
        name: `small-${i}`,
        cidr: `10.${100 + i}.0.0/24`,
        dataCenter: 'dc1',
        vlan: 200 + i,
        tenant: 'acme',
        zone: 'bench.test',
      });
    }
    const v4 = await addNetwork(b.store, {
      name: 'big16',
      cidr: '10.0.0.0/16',
      dataCenter: 'dc1',
      vlan: 100,
      tenant: 'acme',
      zone: 'bench.test',
    });
    const v6 = await addNetwork(b.store, {
      name: 'big64',
      cidr: '2001:db8::/64',
      dataCenter: 'dc1',
      vlan: 101,
      tenant: 'acme',
      zone: 'v6.bench.test',
    });
    await addUser(b.store, { ...USER, role: 'admin' });
    const cookie = await login(base);

    const fill = await fillNetwork(b.store.dataSource, v4, COUNT);
    log(`${kind}: filled big16 with ${COUNT} allocations in ${round(fill.insertMs)} ms`);
    await pages(b, base, cookie, `IPv4 /16, ${COUNT} allocations contiguous`, v4, rows);

    // Every third allocation released, its address free again: the map becomes ~COUNT/3 runs.
    await b.store.dataSource.query(
      `UPDATE allocation SET address_released_at = now(), name_released_at = now(), released_at = now(), release_reason = 'DELETED'
       WHERE network_id = $1 AND released_at IS NULL AND (address - '10.0.0.0'::inet) % 3 = 0`,
      [v4.id],
    );
    await b.store.transaction(async (tx) => {
      await tx.topology.lockNetwork(v4.id);
      await rebuildFreeRanges(tx, await tx.topology.networkById(v4.id));
    });
    await b.store.dataSource.query(`VACUUM ANALYZE allocation`);
    await pages(b, base, cookie, `IPv4 /16, every third of ${COUNT} released`, v4, rows);

    await fillNetwork(b.store.dataSource, v6, COUNT);
    await pages(b, base, cookie, `IPv6 /64, ${COUNT} allocations`, v6, rows);
  } finally {
    await b.close();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const kind of BACKENDS) await run(kind, rows);
  const out = [
    `| backend | scenario | page | server p50 ms | server max ms | wall p50 ms | HTML kB |`,
    `|---|---|---|---:|---:|---:|---:|`,
    ...rows.map(
      (r) =>
        `| ${r.backend} | ${r.scenario} | ${r.page} | ${round(r.server.p50)} | ${round(r.server.max)} | ${round(r.wall.p50)} | ${Math.round(r.bytes / 1024)} |`,
    ),
  ].join('\n');
  process.stdout.write(`${out}\n`);
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  writeFileSync(
    join(ROOT, '.bench', 'console.json'),
    JSON.stringify({ at: new Date().toISOString(), allocations: COUNT, samples: SAMPLES, rows }, null, 2),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
