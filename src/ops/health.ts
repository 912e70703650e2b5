/**
 * The operator's HTTP endpoints next to the SOAP ones: /healthz (the process answers),
 * /readyz (the database answers and its schema is the one this code expects; not while shutting
 * down) and /metrics (Prometheus text). The probes need no credentials; /metrics names networks
 * and their fill, so it takes a bearer token when one is configured (IPCD_METRICS_TOKEN).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type express from 'express';
import type { Metrics } from './metrics';

export interface SchemaStatus {
  /** Migrations this code has that the database lacks. */
  pending: string[];
  /** Migrations the database has that this code does not know (a newer version migrated it). */
  unknown: string[];
}

export interface OpsEndpoints {
  metrics: Metrics;
  schemaStatus: () => Promise<SchemaStatus>;
  /** True once shutdown began. */
  draining: () => boolean;
  /** How long /readyz waits for the database; default 3 s. */
  readyTimeoutMs?: number;
  /** When set, /metrics answers only `Authorization: Bearer <token>` (Prometheus' bearer_token). */
  metricsToken?: string;
}

export function mountOps(app: express.Express, ops: OpsEndpoints): void {
  app.use((_req, res, next) => {
    // While draining, no connection is kept for another request: the caller reconnects elsewhere.
    if (ops.draining()) res.setHeader('Connection', 'close');
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.type('application/json').send({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const report = await readiness(ops);
    res
      .status(report.status === 'ready' ? 200 : 503)
      .type('application/json')
      .send(report);
  });

  app.get('/metrics', async (req, res) => {
    if (ops.metricsToken !== undefined && !bearerMatches(req.get('authorization'), ops.metricsToken)) {
      return res
        .status(401)
        .setHeader('WWW-Authenticate', 'Bearer realm="ipcd metrics"')
        .type('text/plain')
        .send('a bearer token is required\n');
    }
    try {
      res.type(ops.metrics.contentType).send(await ops.metrics.text());
    } catch (e) {
      res
        .status(503)
        .type('text/plain')
        .send(`metrics unavailable: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  });
}

export interface Readiness {
  status: 'ready' | 'not ready';
  database: 'ok' | string;
  pendingMigrations?: string[];
  unknownMigrations?: string[];
  draining?: true;
}

async function readiness(ops: OpsEndpoints): Promise<Readiness> {
  if (ops.draining()) return { status: 'not ready', database: 'ok', draining: true };
  const timeoutMs = ops.readyTimeoutMs ?? 3000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const schema = await Promise.race([
      ops.schemaStatus(),
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
      ),
    ]);
    const report: Readiness = { status: schema.pending.length === 0 ? 'ready' : 'not ready', database: 'ok' };
    if (schema.pending.length > 0) report.pendingMigrations = schema.pending;
    // A newer version's migrations do not make this process unready: rolling upgrades run both.
    if (schema.unknown.length > 0) report.unknownMigrations = schema.unknown;
    return report;
  } catch (e) {
    return { status: 'not ready', database: `unreachable: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** Constant-time comparison (of digests, so the lengths match too). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (t: string) => createHash('sha256').update(t, 'utf8').digest();
  return timingSafeEqual(digest(m[1]), digest(token));
}
