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
  const app = await createApp({
    store,
    log,
    maxBodyBytes: config.maxBodyBytes,
    auth: authOptions(config.authRequired, config.secretKey, config.replayWindowMs),
    console: { idleTimeoutMs: config.consoleIdleMs },
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
  const stop = (signal: string) => {
    log.info('stopping', { signal });
    server.close(async () => {
      await store.close();
      log.info('stopped');
      process.exit(0);
    });
    (app.locals.closeStreams as () => void)();
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((e) => {
  console.error(JSON.stringify({ level: 'error', message: 'ipcd failed to start', error: String(e?.stack ?? e) }));
  process.exit(1);
});
