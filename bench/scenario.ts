/**
 * One backend's run, from outside: the server child started and restarted as the steps need
 * (a SQL fill writes tables the server may cache, so it happens while the server is stopped),
 * the topology and orchestrator made over /ipcd-admin, load over /ipcd. A failing step is
 * recorded and the run goes on to the next one; run.ts then exits non-zero.
 */
import { addBatchNetwork, batchPoint, type BatchPoint } from './batch';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Family } from '../src/logic/core/ip';
import { ROOT } from '../src/paths';
import { isStopping, log, onCleanup } from './cleanup';
import type { BackendKind, Config } from './config';
import { createDatabase } from './database';
import { fillNetwork, fillTarget, pgFillDb } from './fill';
import { fillPoint, type FillPoint } from './fill-point';
import { DC, Management, ORCHESTRATOR, ZONE } from './management';
import { startPgProxy } from './pg-proxy';
import { openPgbench, type Pgbench, type PgbenchResult } from './pgbench';
import { AddressBook } from './replies';
import { countRoundTrips, metricsCounter, type RoundTrips } from './round-trips';
import { ADMIN_USER, startServer, type RunningServer, type ServerSpec } from './server';
import { cpuSampler } from './cpu';
import {
  commissionPoint,
  throughputPoint,
  type CommissionPointResult,
  type PointResult,
  type Target,
} from './workloads';

export const CYCLE_VLAN = 100;
export const CYCLE_CIDR = '10.0.0.0/16';
/** Spread case: client i on VLAN 101+i, network 10.(i+1).0.0/16. */
const spreadVlan = (i: number) => 101 + i;
const spreadCidr = (i: number) => `10.${i + 1}.0.0/16`;
export const SLASH16 = { cidr: '10.100.0.0/16', vlan: 400 };

export interface ThroughputRow {
  case: string;
  point: PointResult;
  pgbench?: PgbenchResult;
}

export interface BackendResult {
  backend: BackendKind;
  throughput: ThroughputRow[];
  roundTrips?: RoundTrips;
  slash16?: CommissionPointResult & { filled: number; cidr: string; insertMs: number; vacuumMs: number };
  fill: FillPoint[];
  /** Batch commissioning by batch size (and the single calls for the same addresses). */
  batch?: BatchPoint[];
  notes: string[];
  /** Steps that failed (the message), so the run can fail loudly after printing. */
  failures: string[];
}

const secret = () => `bench-${randomBytes(12).toString('hex')}`;

/** The server child of one backend, restartable; the credentials stay across restarts. */
class Session {
  server?: RunningServer;
  readonly admin = { username: ADMIN_USER, password: secret(), nonce: false };
  readonly orchestrator: { username: string; password: string; nonce: boolean };

  constructor(
    readonly spec: Omit<ServerSpec, 'adminPassword'>,
    nonce: boolean,
  ) {
    this.orchestrator = { username: ORCHESTRATOR, password: secret(), nonce };
    writeFileSync(spec.logFile, ''); // this run's log only; restarts append
  }

  async start(databaseUrl = this.spec.databaseUrl): Promise<RunningServer> {
    if (!this.server) {
      log(
        `starting ipcd (${databaseUrl === undefined ? 'embedded' : databaseUrl === this.spec.databaseUrl ? 'PostgreSQL' : 'PostgreSQL through the counting proxy'})`,
      );
      this.server = await startServer({ ...this.spec, databaseUrl, adminPassword: this.admin.password });
    }
    return this.server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await s?.stop();
  }

  target(): Target {
    if (!this.server) throw new Error('ipcd is not running (an earlier step stopped it)');
    return { url: this.server.url, credentials: this.orchestrator };
  }

  /** Runs `fn` with a management client as the administrator. */
  async manage<T>(fn: (m: Management) => Promise<T>): Promise<T> {
    const m = new Management((await this.start()).adminUrl, this.admin);
    try {
      return await fn(m);
    } finally {
      m.close();
    }
  }
}

async function step(r: BackendResult, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (isStopping()) throw e; // Ctrl-C: no further steps
    const msg = `${r.backend}: ${name} failed: ${(e as Error)?.stack ?? e}`;
    log(msg);
    r.failures.push(msg);
  }
}

function logPoint(kind: BackendKind, label: string, p: PointResult, pg?: PgbenchResult): void {
  log(
    `${kind}: ${label}: ${p.cycles} cycles in ${p.seconds.toFixed(1)} s = ${p.cyclesPerSecond.toFixed(0)}/s; ` +
      `commission p50 ${p.commission.p50.toFixed(2)} ms, decommission p50 ${p.decommission.p50.toFixed(2)} ms` +
      (pg ? `; pgbench ${pg.tps.toFixed(0)} tps` : '') +
      (Object.keys(p.errors).length ? `; errors ${JSON.stringify(p.errors)}` : ''),
  );
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Data center, the cycle zone and network, `spread` one-per-client networks, and the orchestrator. */
async function defineTopology(s: Session, spread: number, ownZones: boolean): Promise<void> {
  await s.manage(async (m) => {
    await m.addDataCenter(DC);
    await m.addZone(ZONE);
    // 65,533 assignable addresses; a cycle returns its address, so this never fills up.
    await m.addNetwork({ name: 'bench-v4', cidr: CYCLE_CIDR, vlan: CYCLE_VLAN, zone: ZONE });
    for (let i = 0; i < spread; i++) {
      const zone = ownZones ? `n${i}.${ZONE}` : ZONE;
      if (ownZones) await m.addZone(zone);
      await m.addNetwork({ name: `bench-spread-${i}`, cidr: spreadCidr(i), vlan: spreadVlan(i), zone });
    }
    await m.addOrchestrator(s.orchestrator.password);
  });
}

/** Single calls, then each batch size separate and atomic, for the same number of addresses. */
async function batchPoints(s: Session, c: Config, r: BackendResult): Promise<void> {
  if (c.batchSizes.length === 0 || c.batchAddresses === 0) return;
  await step(r, 'batches', async () => {
    await s.manage(addBatchNetwork);
    r.batch = [];
    const points: [number | 'single', boolean][] = [
      ['single', false],
      ...c.batchSizes.flatMap((n): [number, boolean][] => [
        [n, false],
        [n, true],
      ]),
    ];
    for (const [size, atomic] of points) {
      const p = await batchPoint(s.target(), size, atomic, c.batchAddresses);
      log(
        `${r.backend}: ${size === 'single' ? 'single calls' : `batches of ${size}${atomic ? ', atomic' : ''}`}: ${p.commissionPerSecond.toFixed(0)} commissions/s, ` +
          `${p.releasePerSecond.toFixed(0)} releases/s` +
          (Object.keys(p.errors).length ? `; errors ${JSON.stringify(p.errors)}` : ''),
      );
      r.batch.push(p);
    }
  });
}

async function cyclePoints(s: Session, c: Config, r: BackendResult, pgbench?: Pgbench): Promise<void> {
  const run = async (label: string, clients: number, vlanOf: (w: number) => number, book: AddressBook) => {
    await step(r, label, async () => {
      const cpu = cpuSampler((await s.start()).pid, s.spec.databaseUrl);
      const options = { seconds: c.seconds, cycles: c.cycles, warmupSeconds: c.warmupSeconds, cpu };
      const point = await throughputPoint(s.target(), book, clients, vlanOf, options);
      const pg = pgbench ? await pgbench.run(clients, c.pgbenchSeconds) : undefined;
      logPoint(r.backend, label, point, pg);
      r.throughput.push({ case: label, point, pgbench: pg });
    });
  };
  for (const clients of c.clients) {
    const spread = r.backend === 'postgres' && c.spreadClients.includes(clients);
    const label = `${plural(clients, 'client')}${spread ? ', one network' : ''}`;
    await run(label, clients, () => CYCLE_VLAN, new AddressBook().expect(CYCLE_VLAN, CYCLE_CIDR));
  }
  if (r.backend !== 'postgres') return;
  for (const clients of c.spreadClients) {
    const book = new AddressBook();
    for (let i = 0; i < clients; i++) book.expect(spreadVlan(i), spreadCidr(i));
    await run(
      `${plural(clients, 'client')} over ${clients} networks (${c.spreadZones === 'own' ? 'a zone each' : 'one shared zone'})`,
      clients,
      spreadVlan,
      book,
    );
  }
}

/** Adds a network (server up), stops the server, fills it with SQL, starts the server again. */
async function filledNetwork(
  s: Session,
  dbUrl: string,
  spec: { name: string; cidr: string; vlan: number; family: Family },
  count: number,
) {
  const zone = `${spec.name}.${ZONE}`; // its own zone: the fill sets the zone's name sequence
  await s.manage(async (m) => {
    await m.addZone(zone);
    await m.addNetwork({ name: spec.name, cidr: spec.cidr, vlan: spec.vlan, zone });
  });
  await s.stop();
  log(`postgres: filling ${spec.cidr} (VLAN ${spec.vlan}) with ${count.toLocaleString('en-US')} allocations`);
  const client = new Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const db = pgFillDb(client);
    const fill = await fillNetwork(db, await fillTarget(db, spec.name), count);
    log(
      `postgres: fill ${(fill.insertMs / 1000).toFixed(1)} s + VACUUM ANALYZE ${(fill.vacuumMs / 1000).toFixed(1)} s`,
    );
    await s.start();
    return {
      ...spec,
      filled: count,
      nextAddress: fill.nextAddress,
      firstFree: fill.firstFree,
      insertMs: fill.insertMs,
      vacuumMs: fill.vacuumMs,
    };
  } finally {
    await client.end();
  }
}

export async function runPostgres(c: Config): Promise<BackendResult> {
  const r: BackendResult = { backend: 'postgres', throughput: [], fill: [], notes: [], failures: [] };
  const db = await createDatabase(c.pgAdminUrl);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'ipcd-bench-pg-'));
  const removeDir = onCleanup(`remove ${dataDir}`, async () => rmSync(dataDir, { recursive: true, force: true }));
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  const s = new Session(
    {
      ipcdDir: c.ipcdDir,
      databaseUrl: db.url,
      dataDir,
      logFile: join(ROOT, '.bench', 'ipcd-postgres.log'),
      workers: c.workers,
    },
    c.wsseNonce,
  );
  const pgbench = c.pgbench ? await openPgbench(c.pgAdminUrl) : undefined;
  try {
    await s.start();
    await defineTopology(s, Math.max(0, ...c.spreadClients), c.spreadZones === 'own');
    await cyclePoints(s, c, r, pgbench);
    await batchPoints(s, c, r);

    if (c.roundTripOps > 0) {
      await step(r, 'round trips', async () => {
        await s.stop();
        const proxy = await startPgProxy(db.url);
        try {
          await s.start(proxy.url);
          r.roundTrips = await countRoundTrips(s.target(), proxy, CYCLE_VLAN, CYCLE_CIDR, {
            n: c.roundTripOps,
            warmup: 20,
            idleMs: 2000,
          });
          const rt = r.roundTrips;
          log(
            `postgres: per CommissionIP ${rt.commission.roundTrips.toFixed(2)} round trips, per DecommissionIP ${rt.decommission.roundTrips.toFixed(2)} (background ${rt.backgroundPerSecond.toFixed(2)}/s)`,
          );
        } finally {
          await s.stop();
          await proxy.close();
        }
      });
    }

    const fillOptions = {
      ops: c.fillOps,
      selectorOps: c.fillSelectorOps,
      otherCycles: c.fillOtherCycles,
      otherVlan: CYCLE_VLAN,
      otherCidr: CYCLE_CIDR,
      warmup: c.fillWarmup,
      capSeconds: c.capSeconds,
    };
    // IPv6 first, so that its point is not measured next to the million IPv4 rows.
    const levels = [
      ...c.fillV6Levels.map((n, i) => ({ family: 6 as const, cidr: '2001:db8::/64', vlan: 300 + i, n })),
      ...c.fillLevels.map((n, i) => ({ family: 4 as const, cidr: '10.0.0.0/8', vlan: 200 + i, n })),
    ];
    for (const l of levels) {
      await step(r, `fill IPv${l.family} ${l.n}`, async () => {
        const net = await filledNetwork(
          s,
          db.url,
          { name: `fill-v${l.family}-${l.n}`, cidr: l.cidr, vlan: l.vlan, family: l.family },
          l.n,
        );
        const p = await fillPoint(s.target(), net, fillOptions);
        log(
          `postgres: ${l.cidr} @ ${l.n}: CommissionIP p50 ${p.soapCommission.p50.toFixed(2)} ms; DecommissionIP p50 by address ${p.soapDecommission.p50.toFixed(2)} ms, ` +
            `by name ${p.soapDecommissionByName.p50.toFixed(2)} ms, by serverInstance ${p.soapDecommissionByServerInstance.p50.toFixed(2)} ms` +
            (p.capped.length ? ` (stopped at the time cap: ${p.capped.join(', ')})` : ''),
        );
        r.fill.push(p);
      });
    }

    if (c.slash16Fill > 0) {
      await step(r, `/16 with ${c.slash16Fill} in use`, async () => {
        const net = await filledNetwork(
          s,
          db.url,
          { name: 'bench-slash16', cidr: SLASH16.cidr, vlan: SLASH16.vlan, family: 4 },
          c.slash16Fill,
        );
        const book = new AddressBook().expect(SLASH16.vlan, SLASH16.cidr, net.firstFree);
        const p = await commissionPoint(s.target(), book, SLASH16.vlan, c.slash16Clients, {
          count: c.slash16Commissions,
          capSeconds: c.slash16Seconds,
        });
        log(
          `postgres: ${SLASH16.cidr} @ ${c.slash16Fill}: ${p.commissions} commissions in ${p.seconds.toFixed(1)} s = ${p.commissionsPerSecond.toFixed(0)}/s, p50 ${p.latency.p50.toFixed(2)} ms`,
        );
        r.slash16 = { ...p, filled: c.slash16Fill, cidr: SLASH16.cidr, insertMs: net.insertMs, vacuumMs: net.vacuumMs };
      });
    }
  } finally {
    await s.stop();
    await pgbench?.close();
    await db.drop();
    await removeDir();
  }
  return r;
}

export async function runEmbedded(c: Config): Promise<BackendResult> {
  const r: BackendResult = { backend: 'embedded', throughput: [], fill: [], notes: [], failures: [] };
  const dataDir = mkdtempSync(join(os.tmpdir(), 'ipcd-bench-embedded-'));
  const removeDir = onCleanup(`remove ${dataDir}`, async () => rmSync(dataDir, { recursive: true, force: true }));
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  const s = new Session(
    { ipcdDir: c.ipcdDir, dataDir, logFile: join(ROOT, '.bench', 'ipcd-embedded.log'), workers: c.workers },
    c.wsseNonce,
  );
  try {
    await s.start();
    await defineTopology(s, 0, false);
    await cyclePoints(s, c, r);
    await batchPoints(s, c, r);
    if (c.roundTripOps > 0) {
      await step(r, 'round trips', async () => {
        const t = s.target();
        r.roundTrips = await countRoundTrips(t, metricsCounter(t.url.replace(/\/ipcd$/, '')), CYCLE_VLAN, CYCLE_CIDR, {
          n: c.roundTripOps,
          warmup: 20,
          idleMs: 2000,
        });
        const rt = r.roundTrips;
        log(
          `embedded: per CommissionIP ${rt.commission.roundTrips.toFixed(2)} statements, per DecommissionIP ${rt.decommission.roundTrips.toFixed(2)} (background ${rt.backgroundPerSecond.toFixed(2)}/s; the server's /metrics)`,
        );
      });
    }
    r.notes.push(
      "embedded: SQL round trips are the server's own count of the statements it sent PGlite (/metrics: no wire to proxy), a scrape's own statements taken off",
      'embedded: fill levels and the /16 with 60,000 in use are skipped: the server process owns the PGlite store, so the bench cannot fill it with SQL, and filling through SOAP would take minutes',
    );
  } finally {
    await s.stop();
    await removeDir();
  }
  return r;
}
