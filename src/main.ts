/** Composition root: configuration, store, logic and transports are wired here and only here. */
import type { Server } from 'node:http';
import { ADMIN_ENDPOINT, createApp, ENDPOINT } from './app';
import { loadConfig, type Config } from './config';
import { loadExampleTopology } from './example/topology';
import { createLogger, type Logger } from './logger';
import { openStore } from './store/open';
import { join } from 'node:path';
import { authOptions } from './api/operation';
import { ensureFirstAdmin } from './bootstrap';
import { Metrics } from './ops/metrics';
import { AlertMonitor } from './ops/alert-monitor';
import { installShutdown } from './ops/shutdown';
import type { Store } from './store/store';
import { listDnsZones } from './logic/dns/dns-config';
import { DnsPublisher } from './ops/dns-publisher';
import { Rfc2136Updater } from './dns/rfc2136';
import { isWorker, superviseWorkers } from './ops/workers';
import { describeStartupError, stackOf, step, type StartupContext } from './ops/startup-errors';

/** Where start-up got to, for the line that says why it failed. */
const context: StartupContext = {};

async function main(): Promise<void> {
  const config = await step('configuration', loadConfig);
  Object.assign(context, {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    host: config.host,
    port: config.port,
  });
  const log = createLogger();
  if (config.workers > 1 && !isWorker()) {
    if (config.databaseUrl) return superviseWorkers(config.workers, log);
    log.warn('IPCD_WORKERS > 1 needs PostgreSQL (DATABASE_URL): the embedded store is one process; running one');
  }
  // Where a start spends its time, in ms since the process began (the "listening" line; bench:restart).
  const startupMs: Record<string, number> = { modules: Math.round(performance.now()) };
  const { store, kind, fresh } = await step('store', () =>
    openStore({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.poolSize,
      embeddedSharedBuffers: config.embeddedSharedBuffers,
    }),
  );
  startupMs.store = Math.round(performance.now());
  log.info('store ready', { kind, dataDir: kind === 'embedded' ? config.dataDir : undefined });
  // One line when requests start failing for want of the database, one when it answers again.
  store.onAvailability((e) =>
    e.state === 'unavailable'
      ? log.warn('database unreachable: requests fault with UNAVAILABLE until it is back', { error: e.error })
      : log.warn('database reachable again', { unavailableMs: e.unavailableMs, failedCalls: e.failures }),
  );
  if (kind === 'embedded' && fresh && config.exampleTopology) {
    await loadExampleTopology(store);
    log.info('loaded the example topology into the new embedded store (see README)');
  }
  if (config.authRequired) {
    await step('first administrator', () =>
      ensureFirstAdmin(store, log, {
        initialAdmin: config.initialAdmin,
        passwordFile: join(config.dataDir, 'initial-admin-password'),
        secretKey: config.secretKey,
      }),
    );
  } else {
    log.warn('IPCD_AUTH=off: SOAP callers are not authenticated (development only)');
  }
  startupMs.firstAdmin = Math.round(performance.now());
  const publisher = await startDnsPublisher(store, config, log);
  const metrics = new Metrics(store, { processMetrics: true, database: () => store.stats });
  const alerts = new AlertMonitor(store, log, metrics, {
    policy: {
      defaultThresholdPercent: config.alerts.defaultThresholdPercent,
      hysteresisPercent: config.alerts.hysteresisPercent,
    },
    webhook: config.alerts.webhook,
    sweepMs: config.alerts.sweepSeconds * 1000,
  });
  let draining = false;
  const app = await createApp({
    store,
    log,
    maxBodyBytes: config.maxBodyBytes,
    maxBatchBodyBytes: config.maxBatchBodyBytes,
    auth: authOptions(config.authRequired, config.secretKey, config.replayWindowMs, config.guessLimit),
    console: { idleTimeoutMs: config.consoleIdleMs },
    trustProxy: config.trustProxy,
    ops: {
      metrics,
      schemaStatus: () => store.schemaStatus(),
      draining: () => draining,
      metricsToken: config.metricsToken,
    },
  });
  const server = await step(
    'listen',
    () =>
      new Promise<Server>((resolve, reject) => {
        const s = app.listen(config.port, config.host);
        // Outlive the callers' idle keep-alive (undici 4 s, load balancers 60 s): a server that closes an
        // idle socket first races the next request on it, which the client sees as a reset.
        s.keepAliveTimeout = 65_000;
        s.headersTimeout = 66_000;
        s.once('listening', () => resolve(s)).once('error', reject);
      }),
  );
  startupMs.listening = Math.round(performance.now());
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  log.info('listening', {
    port,
    endpoint: ENDPOINT,
    wsdl: `http://localhost:${port}${ENDPOINT}?wsdl`,
    managementWsdl: `http://localhost:${port}${ADMIN_ENDPOINT}?wsdl`,
    console: `http://localhost:${port}/ui/`,
    startupMs,
  });
  alerts.start();
  installShutdown({
    server,
    log,
    graceMs: config.shutdownGraceMs,
    beginDraining: () => {
      draining = true;
      // The console's live streams never end by themselves: end them, or server.close() would wait.
      (app.locals.closeStreams as () => void)();
    },
    // The DNS worker first: the delivery under way is recorded; the rest stays queued for the next process.
    workers: publisher ? [publisher, alerts] : [alerts],
    closeStore: () => store.close(),
  });
}

/** The DNS outbox worker, and a line for every zone that publishes nothing. */
async function startDnsPublisher(store: Store, config: Config, log: Logger): Promise<DnsPublisher | null> {
  for (const z of await listDnsZones(store)) {
    if (z.server === null)
      log.info('dns: zone has no server configured; its names are not published', { zone: z.zone });
    else
      log.info('dns: zone published', {
        zone: z.zone,
        prefix: z.prefix ?? undefined,
        server: z.server,
        key: z.keyName,
        sealed: z.sealed,
      });
  }
  if (!config.dns.publish) {
    log.info('dns: IPCD_DNS_PUBLISH=false: this process queues DNS changes but does not deliver them');
    return null;
  }
  const publisher = new DnsPublisher(store, new Rfc2136Updater(config.dns.timeoutMs), {
    sealKey: config.secretKey,
    log,
    pollMs: config.dns.pollMs,
    retryMaxMs: config.dns.retryMaxMs,
  });
  publisher.start();
  return publisher;
}

main().catch((e) => {
  process.stderr.write(`ipcd: cannot start: ${describeStartupError(e, context)}\n`);
  if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`${stackOf(e)}\n`);
  process.exit(1);
});
