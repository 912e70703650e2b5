/**
 * Runs utilization alerts beside the server: evaluates a network after each committed change to
 * its fill (queued, off the request's path, one evaluation per network at a time however many
 * changes arrive), sweeps every network now and then (changes made by the CLI or another
 * process), and delivers pending events to the webhook (through the outbox worker, as DNS
 * changes are). The decisions — state, event, how a delivery is judged — are the logic's
 * (src/logic/alerts/alerts.ts); this file only schedules, logs, counts and POSTs.
 */
import { createHmac } from 'node:crypto';
import {
  evaluateAlert,
  judgeWebhook,
  mayCross,
  webhookPayload,
  type AlertPolicy,
  type WebhookOutcome,
} from '../logic/alerts/alerts';
import type { AlertEventRecord } from '../logic/alerts/port';
import type { Store } from '../store/store';
import { networkFills } from '../logic/alerts/utilization';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';
import { isUnavailable } from '../logic/core/errors';
import { OutboxWorker } from './outbox-worker';

export interface WebhookSettings {
  url: string;
  /** When set, each POST carries X-Ipcd-Signature: sha256=HMAC-SHA256(secret, body) in hex. */
  secret?: string;
  /** Attempts before an event's delivery is given up (logged, kept as 'failed'). */
  attempts: number;
  timeoutMs: number;
  /** Ceiling of the first retry delay; doubles per attempt (jittered) up to 5 minutes. */
  retryBaseMs: number;
}

export interface AlertMonitorOptions {
  policy: Omit<AlertPolicy, 'webhook'>;
  webhook?: WebhookSettings;
  /** Every network is re-evaluated this often (0: never). */
  sweepMs: number;
  /** Pending webhook deliveries are looked for this often (also right after an event). */
  deliveryPollMs?: number;
  /**
   * Changes to a network's fill are gathered this long before it is evaluated, so a busy network
   * costs one evaluation per interval instead of one transaction per commission.
   */
  debounceMs?: number;
}

export const ALERT_DEBOUNCE_MS = 250;

export class AlertMonitor {
  private readonly dirty = new Set<number>();
  private draining: Promise<void> | null = null;
  private readonly delivery: OutboxWorker<AlertEventRecord, WebhookOutcome> | null;
  private unwatch: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private readonly policy: AlertPolicy;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly metrics: Metrics | undefined,
    private readonly o: AlertMonitorOptions,
  ) {
    this.policy = { ...o.policy, webhook: o.webhook !== undefined };
    this.delivery = o.webhook ? this.webhookWorker(o.webhook) : null;
  }

  start(): void {
    this.unwatch = this.store.watchNetworks((ids) => this.mark(ids));
    if (this.o.sweepMs > 0) this.every(this.o.sweepMs, () => this.sweep());
    this.delivery?.start();
    void this.sweep();
  }

  /** Stops taking work, finishes the evaluations queued so far and the delivery under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    for (const t of this.timers) clearInterval(t);
    await Promise.all([this.draining, this.delivery?.stop()]);
  }

  /** Networks whose fill changed; evaluated soon, in order, each once however often it is marked. */
  mark(ids: number[]): void {
    if (this.stopped) return;
    for (const id of ids) this.dirty.add(id);
    this.draining ??= this.drain();
  }

  /** Every network whose fill read outside the lock suggests a crossing gets a locked evaluation. */
  async sweep(): Promise<void> {
    try {
      const fills = await networkFills(this.store);
      const candidates = fills.filter((f) => mayCross(f, this.policy)).map((f) => f.networkId);
      if (candidates.length > 0) this.mark(candidates);
    } catch (e) {
      // An unreachable database is logged once by the store, not once per sweep.
      if (!this.stopped && !isUnavailable(e)) this.log.warn('alert sweep failed', { error: String(e) });
    }
  }

  private async drain(): Promise<void> {
    try {
      // Rounds: gather the marks of one interval (the request that marked first answers
      // meanwhile), then evaluate each network once. Marks made during a round wait for the next.
      while (this.dirty.size > 0) {
        await new Promise((r) => setTimeout(r, this.o.debounceMs ?? ALERT_DEBOUNCE_MS));
        const ids = [...this.dirty];
        this.dirty.clear();
        for (const id of ids) {
          try {
            const event = await evaluateAlert(this.store, id, this.policy);
            if (event) this.emitted(event);
          } catch (e) {
            if (!isUnavailable(e)) this.log.warn('alert evaluation failed', { networkId: id, error: String(e) });
          }
        }
      }
    } finally {
      // Cleared in the same tick the loop saw the set empty, so no mark() falls in between.
      this.draining = null;
    }
  }

  private emitted(e: AlertEventRecord): void {
    this.metrics?.alertEvents.inc({ direction: e.direction });
    const message =
      e.direction === 'up'
        ? 'network utilization reached its alert threshold'
        : 'network utilization fell back below its alert threshold';
    const { id, type, ...fields } = webhookPayload(e);
    this.log.warn(message, { alert: type, eventId: id, ...fields });
    this.delivery?.kick();
  }

  /** One event at a time (a receiver sees events in order), retried with the backoff of judgeWebhook. */
  private webhookWorker(hook: WebhookSettings): OutboxWorker<AlertEventRecord, WebhookOutcome> {
    return new OutboxWorker<AlertEventRecord, WebhookOutcome>(
      {
        claim: async (_limit, leaseSeconds) => {
          const event = await this.store.transaction((tx) => tx.alerts.claimAlertDelivery(leaseSeconds));
          return event ? [event] : [];
        },
        pass: () => async (event) => {
          const outcome = judgeWebhook(await post(hook, event), event.attempts, hook.attempts, hook.retryBaseMs);
          const label = outcome.delivered ? 'delivered' : outcome.retryInMs === null ? 'failed' : 'retry';
          this.metrics?.webhookAttempts.inc({ outcome: label });
          if (!outcome.delivered) {
            const fields = { eventId: event.id, attempts: event.attempts, error: outcome.error };
            if (outcome.retryInMs === null) this.log.error('alert webhook: giving up', fields);
            else this.log.warn('alert webhook: will retry', fields);
          }
          return outcome;
        },
        finish: (event, _token, outcome) =>
          this.store.transaction((tx) => tx.alerts.finishAlertDelivery(event.id, outcome)),
        retryInMs: (outcome) => (outcome.delivered ? null : outcome.retryInMs),
      },
      {
        name: 'alert webhook',
        log: this.log,
        pollMs: this.o.deliveryPollMs ?? 5000,
        batchSize: 1,
        concurrency: 1,
        leaseSeconds: Math.ceil(hook.timeoutMs / 1000) + 30,
      },
    );
  }

  private every(ms: number, fn: () => unknown): void {
    const t = setInterval(() => void fn(), ms);
    t.unref();
    this.timers.push(t);
  }
}

/** One POST; null when the receiver answered 2xx, else why not. */
async function post(hook: WebhookSettings, event: AlertEventRecord): Promise<string | null> {
  const body = JSON.stringify(webhookPayload(event));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-ipcd-event-id': event.id,
    'user-agent': 'ipcd-alerts',
  };
  if (hook.secret)
    headers['x-ipcd-signature'] = `sha256=${createHmac('sha256', hook.secret).update(body).digest('hex')}`;
  try {
    const res = await fetch(hook.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(hook.timeoutMs),
      redirect: 'manual',
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return `${e instanceof Error ? e.message : String(e)}${cause ? ` (${cause})` : ''}`;
  }
}
