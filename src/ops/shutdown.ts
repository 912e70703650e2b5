/**
 * Graceful stop on SIGTERM (and SIGINT): stop accepting connections, let the requests in flight
 * finish (each is one database transaction, so none is cut half-way unless the grace period runs
 * out — then their connections are closed and PostgreSQL rolls back what had not committed),
 * flush what is safe (queued alert evaluations, the webhook POST under way; pending deliveries
 * stay in the database for the next process), close the store, exit 0.
 */
import type { Server } from 'node:http';
import type { Logger } from '../logger';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface ShutdownOptions {
  server: Server;
  log: Logger;
  graceMs: number;
  /** Called first: /readyz turns 503 and responses close their connection. */
  beginDraining(): void;
  /** Background workers, stopped after the last request finished, in order. */
  workers: Stoppable[];
  closeStore(): Promise<void>;
  exit?: (code: number) => void;
}

export function installShutdown(o: ShutdownOptions): void {
  let stopping = false;
  const exit = o.exit ?? ((code: number) => process.exit(code));
  const stop = async (signal: string) => {
    if (stopping) {
      o.log.warn('second signal while stopping: exiting now', { signal });
      return exit(1);
    }
    stopping = true;
    const started = Date.now();
    o.log.info('stopping', { signal, graceMs: o.graceMs });
    o.beginDraining();
    const closed = new Promise<void>((resolve) => o.server.close(() => resolve()));
    // Keep-alive connections whose request finished are closed as soon as they are idle.
    const idle = setInterval(() => o.server.closeIdleConnections(), 50);
    o.server.closeIdleConnections();
    const grace = setTimeout(() => {
      o.log.warn('grace period over: closing connections with requests still in flight', { graceMs: o.graceMs });
      o.server.closeAllConnections();
    }, o.graceMs);
    let code = 0;
    try {
      await closed;
      clearTimeout(grace);
      clearInterval(idle);
      for (const w of o.workers) await w.stop();
      await o.closeStore();
      o.log.info('stopped', { ms: Date.now() - started });
    } catch (e) {
      code = 1;
      o.log.error('error while stopping', { error: String((e as Error)?.stack ?? e) });
    }
    exit(code);
  };
  // A second signal while stopping exits at once (an operator's impatient Ctrl-C).
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
