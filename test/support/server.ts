/** Starts the real Express + node-soap app on an ephemeral port over a given store. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions } from '../../src/app';
import type { Store } from '../../src/store/store';
import { createLogger } from '../../src/logger';
import { authOptions, type AuthOptions } from '../../src/api/operation';
import { Metrics } from '../../src/ops/metrics';
import { TypeormStore } from '../../src/store/typeorm-store';
import { MAX_BODY_BYTES } from '../../src/config';

export interface RunningServer {
  url: string; // http://127.0.0.1:PORT/ipcd
  base: string; // http://127.0.0.1:PORT
  /** The server's metrics (also served at /metrics). */
  metrics: Metrics;
  close(): Promise<void>;
}

/**
 * Authentication is off unless asked for: functional suites exercise the logic; test/auth covers
 * authentication and roles with auth on.
 */
export async function startServer(
  store: Store,
  opts: {
    maxBodyBytes?: number;
    auth?: AuthOptions;
    console?: AppOptions['console'];
    trustProxy?: string;
    metricsToken?: string;
  } = {},
): Promise<RunningServer> {
  if (!(store instanceof TypeormStore))
    throw new Error('startServer serves a TypeormStore (readiness reads its migrations)');
  const metrics = new Metrics(store, { database: () => store.stats });
  const app = await createApp({
    store,
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    maxBodyBytes: opts.maxBodyBytes ?? MAX_BODY_BYTES,
    auth: opts.auth ?? authOptions(false),
    console: opts.console,
    trustProxy: opts.trustProxy,
    ops: { metrics, schemaStatus: () => store.schemaStatus(), draining: () => false, metricsToken: opts.metricsToken },
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/ipcd`,
    base,
    metrics,
    close: () =>
      new Promise<void>((resolve) => {
        (app.locals.closeStreams as () => void)();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
