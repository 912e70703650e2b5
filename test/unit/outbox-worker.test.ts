/**
 * The background-delivery loop (src/ops/outbox-worker.ts) over an in-memory outbox: the timers
 * (poll, wake-up on notice, wake-up at the retry time), the concurrency bound and the drain on
 * stop. Its SQL counterparts run in test/dns (BIND 9) and test/ops/alerts.test.ts.
 */
import { OutboxWorker, type OutboxJob } from '../../src/ops/outbox-worker';

interface Item {
  id: number;
  dueAt: number;
  claimedBy: string | null;
  attempts: number;
  state: 'pending' | 'done' | 'failed';
}
type Outcome = 'done' | 'failed' | { retryInMs: number };

/** An outbox with due times and claims, and a delivery function chosen per test. */
function memoryOutbox(deliver: (item: Item) => Promise<Outcome>) {
  const items: Item[] = [];
  const listeners: (() => void)[] = [];
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const job: OutboxJob<Item, Outcome> = {
    claim: async (limit, _lease, token) => {
      const due = items
        .filter((i) => i.state === 'pending' && i.claimedBy === null && i.dueAt <= Date.now())
        .slice(0, limit);
      for (const i of due) ((i.claimedBy = token), i.attempts++);
      return due;
    },
    pass: () => async (item) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await deliver(item);
      } finally {
        inFlight--;
      }
    },
    finish: async (item, token, outcome) => {
      if (item.claimedBy !== token) return;
      item.claimedBy = null;
      log.push(`${item.id}:${typeof outcome === 'string' ? outcome : 'retry'}`);
      if (typeof outcome === 'string') item.state = outcome;
      else item.dueAt = Date.now() + outcome.retryInMs;
    },
    retryInMs: (o) => (typeof o === 'string' ? null : o.retryInMs),
  };
  return {
    job,
    items,
    log,
    maxInFlight: () => maxInFlight,
    add(n: number) {
      for (let k = 0; k < n; k++)
        items.push({ id: items.length + 1, dueAt: 0, claimedBy: null, attempts: 0, state: 'pending' });
      for (const l of listeners) l();
    },
    notify: (wake: () => void) => {
      listeners.push(wake);
      return () => listeners.splice(listeners.indexOf(wake), 1);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
};

describe('OutboxWorker', () => {
  const workers: OutboxWorker<Item, Outcome>[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
  });
  const start = (job: OutboxJob<Item, Outcome>, o: Partial<ConstructorParameters<typeof OutboxWorker>[1]> = {}) => {
    const w = new OutboxWorker(job, {
      name: 'test',
      pollMs: 60_000,
      batchSize: 8,
      concurrency: 3,
      leaseSeconds: 30,
      ...o,
    });
    workers.push(w);
    w.start();
    return w;
  };

  test('a notice wakes the idle worker at once (the poll is a minute); batches run at most `concurrency` at a time', async () => {
    const box = memoryOutbox(async () => (await sleep(10), 'done'));
    start(box.job, { notify: box.notify });
    await sleep(50);
    const t0 = Date.now();
    box.add(20);
    await until(() => box.items.every((i) => i.state === 'done'));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(box.maxInFlight()).toBe(3);
    expect(box.items.map((i) => i.attempts)).toEqual(Array(20).fill(1));
  });

  test('a retry outcome wakes the worker at the retry time, not at the next poll', async () => {
    let calls = 0;
    const box = memoryOutbox(async () => (++calls < 3 ? { retryInMs: 100 } : 'done'));
    box.add(1);
    const t0 = Date.now();
    start(box.job);
    await until(() => box.items[0].state === 'done');
    const took = Date.now() - t0;
    expect(box.log).toEqual(['1:retry', '1:retry', '1:done']);
    expect(took).toBeGreaterThanOrEqual(200);
    expect(took).toBeLessThan(5000);
  });

  test('stop() waits for the pass under way and records every claimed item; nothing is left claimed', async () => {
    const box = memoryOutbox(async () => (await sleep(100), 'failed'));
    box.add(6);
    const w = start(box.job, { concurrency: 2, batchSize: 6 });
    await until(() => box.maxInFlight() === 2);
    await w.stop();
    expect(box.log).toHaveLength(6);
    expect(box.items.every((i) => i.state === 'failed' && i.claimedBy === null)).toBe(true);
  });

  test('a delivery that throws leaves its item claimed (the lease decides) and the others go on', async () => {
    const box = memoryOutbox(async (i) => {
      if (i.id === 2) throw new Error('boom');
      return 'done';
    });
    const warned: string[] = [];
    box.add(3);
    start(box.job, { log: { info() {}, warn: (m) => warned.push(m), error: (m) => warned.push(m) } });
    await until(() => box.log.length === 2);
    expect(box.log.sort()).toEqual(['1:done', '3:done']);
    expect(box.items[1].claimedBy).not.toBeNull();
    expect(warned).toEqual(['test: could not deliver or record an item']);
  });

  test('nothing runs after stop(): a notice or a retry timer does not start a pass', async () => {
    const box = memoryOutbox(async () => ({ retryInMs: 50 }));
    box.add(1);
    const w = start(box.job, { notify: box.notify });
    await until(() => box.log.length === 1);
    await w.stop();
    box.add(1);
    await sleep(200);
    expect(box.log).toEqual(['1:retry']);
  });
});
