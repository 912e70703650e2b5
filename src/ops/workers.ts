/**
 * IPCD_WORKERS: several server processes on one port (node:cluster), for PostgreSQL, where the
 * processes already coordinate through the database (allocation, DNS outbox, alerts, sessions).
 * The primary only supervises: it forks the workers, replaces one that dies unexpectedly, and
 * passes SIGTERM/SIGINT on, exiting once every worker has stopped.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logger';

/** Runs the primary: never returns until the workers are gone. */
export function superviseWorkers(count: number, log: Logger): void {
  let stopping = false;
  const started = new Map<number, number>();
  const fork = () => {
    const w = cluster.fork();
    started.set(w.id, Date.now());
  };
  cluster.on('exit', (w: Worker, code, signal) => {
    const ranMs = Date.now() - (started.get(w.id) ?? 0);
    started.delete(w.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log.info('all workers stopped');
        process.exit(0);
      }
      return;
    }
    // A worker that fails at once (bad configuration, database down at start) would only fail again.
    if (ranMs < 5000) {
      log.error('a worker failed during start-up: stopping', { pid: w.process.pid, code, signal });
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
      return;
    }
    log.warn('worker exited: starting another', { pid: w.process.pid, code, signal });
    fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info('stopping workers', { signal });
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    });
  }
  log.info('starting workers', { workers: count });
  for (let i = 0; i < count; i++) fork();
}

export const isWorker = () => cluster.isWorker;
