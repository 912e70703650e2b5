/** Composition root: configuration, store, logic and transports are wired here and only here. */
import type { Server } from 'node:http';
import { ADMIN_ENDPOINT, createApp, ENDPOINT } from './app';
import { loadConfig } from './config';
import { loadExampleTopology } from './example/topology';
import { createLogger } from './logger';
import { openStore } from './store/open';
import { join } from 'node:path';
import { authOptions } from './api/operation';
import { ensureFirstAdmin } from './bootstrap';
import { Metrics } from './ops/metrics';
import { AlertMonitor } from './ops/alert-monitor';
import { installShutdown } from './ops/shutdown';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger();
  const { store, kind, fresh } = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize });
  log.info('store ready', { kind, dataDir: kind === 'embedded' ? config.dataDir : undefined });
  if (kind === 'embedded' && fresh && config.exampleTopology) {
    await loadExampleTopology(store);
    log.info('loaded the example topology into the new embedded store (see README)');
  }
  if (config.authRequired) {
    await ensureFirstAdmin(store, log, { initialAdmin: config.initialAdmin, passwordFile: join(config.dataDir, 'initial-admin-password'), secretKey: config.secretKey });
  } else {
    log.warn('IPCD_AUTH=off: SOAP callers are not authenticated (development only)');
  }
  const metrics = new Metrics(store, { processMetrics: true });
  const alerts = new AlertMonitor(store, log, metrics, {
    policy: { defaultThresholdPercent: config.alerts.defaultThresholdPercent, hysteresisPercent: config.alerts.hysteresisPercent },
    webhook: config.alerts.webhook,
    sweepMs: config.alerts.sweepSeconds * 1000,
  });
  let draining = false;
  const app = await createApp({
    store,
    log,
    maxBodyBytes: config.maxBodyBytes,
    auth: authOptions(config.authRequired, config.secretKey, config.replayWindowMs),
    console: { idleTimeoutMs: config.consoleIdleMs },
    ops: { metrics, schemaStatus: () => store.schemaStatus(), draining: () => draining },
  });
  const server: Server = app.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    log.info('listening', {
      port,
      endpoint: ENDPOINT,
      wsdl: `http://localhost:${port}${ENDPOINT}?wsdl`,
      managementWsdl: `http://localhost:${port}${ADMIN_ENDPOINT}?wsdl`,
      console: `http://localhost:${port}/ui/`,
    });
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
    workers: [alerts],
    closeStore: () => store.close(),
  });
}

main().catch((e) => {
  console.error(JSON.stringify({ level: 'error', message: 'ipcd failed to start', error: String(e?.stack ?? e) }));
  process.exit(1);
});
