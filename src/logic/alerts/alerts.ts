/**
 * Utilization alerts: a network whose fill reaches its threshold goes 'high'; it goes back to
 * 'normal' only once its fill drops below the threshold minus the hysteresis, so a network
 * hovering at the threshold does not flap. Each change of state is one event, decided under the
 * network's alert-state lock: however many processes evaluate the same network at once, one of
 * them makes the change and the others then see it made.
 */
import { audit } from '../audit/audit';
import { invalid } from '../core/errors';
import { managed, networkNamed } from '../core/manage';
import { systemActor, type Actor } from '../access/policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { AlertEventRecord, AlertsPort } from './port';
import type { TopologyPort } from '../topology/port';
import type { AuditPort } from '../audit/port';
import { networkFill, type AlertState, type NetworkFill } from './utilization';
import { backoffMs } from '../../contract/backoff';

/** The ports this module uses. */
type Tx = { alerts: AlertsPort; topology: TopologyPort; audit: AuditPort };

export interface AlertPolicy {
  /** Threshold of networks without their own, in percent. */
  defaultThresholdPercent: number;
  /** How far below the threshold a high network must fall to be normal again, in percent points. */
  hysteresisPercent: number;
  /** A webhook is configured: new events wait for delivery. */
  webhook: boolean;
}

export type AlertDirection = 'up' | 'down';

export function nextState(current: AlertState, percent: number, threshold: number, hysteresis: number): AlertState {
  if (current === 'normal' && percent >= threshold) return 'high';
  if (current === 'high' && percent < threshold - hysteresis) return 'normal';
  return current;
}

/** Whether a fill read outside the lock suggests a change (a cheap pre-check for sweeps). */
export const mayCross = (f: NetworkFill, policy: AlertPolicy) =>
  nextState(f.alertState, f.percent, f.thresholdPercent ?? policy.defaultThresholdPercent, policy.hysteresisPercent) !==
  f.alertState;

/** Re-reads the network's fill under its alert lock; returns the event when its state changed. */
export async function evaluateAlert(
  store: UnitOfWork<Tx>,
  networkId: number,
  policy: AlertPolicy,
): Promise<AlertEventRecord | null> {
  return store.transaction(async (tx) => {
    const state = await tx.alerts.lockAlertState(networkId);
    if (state === null) return null; // removed meanwhile
    const fill = await networkFill(tx, networkId);
    if (!fill) return null;
    const threshold = fill.thresholdPercent ?? policy.defaultThresholdPercent;
    const next = nextState(state, fill.percent, threshold, policy.hysteresisPercent);
    if (next === state) return null;
    await tx.alerts.setAlertState(networkId, next, fill.percent);
    const event = await tx.alerts.insertAlertEvent({
      networkId,
      network: fill.network,
      dataCenter: fill.dataCenter,
      direction: next === 'high' ? 'up' : 'down',
      percent: fill.percent,
      thresholdPercent: threshold,
      used: fill.used,
      assignable: fill.assignable,
      webhook: policy.webhook ? 'pending' : 'none',
    });
    await audit(
      tx,
      systemActor(),
      'UtilizationAlert',
      { objectType: 'network', objectId: fill.network, dataCenterId: fill.dataCenterId, tenantId: fill.tenantId },
      {
        before: { state },
        after: { state: next, percent: fill.percent, thresholdPercent: threshold, eventId: event.id },
      },
    );
    return event;
  });
}

export function checkThreshold(raw: number | string): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(/%$/, ''));
  if (!Number.isFinite(n) || n <= 0 || n > 100 || Math.round(n * 100) !== n * 100) {
    throw invalid(`an alert threshold is a percentage above 0 and at most 100 with at most two decimals, got '${raw}'`);
  }
  return n;
}

/** Sets (or with null clears, to follow the default) a network's alert threshold. */
export function setAlertThreshold(
  store: UnitOfWork<Tx>,
  name: string,
  percent: number | string | null,
  actor: Actor = systemActor(),
): Promise<number | null> {
  return managed(store, actor, 'SetAlertThreshold', { objectType: 'network', objectId: name }, async (tx) => {
    const threshold = percent === null ? null : checkThreshold(percent);
    const network = await networkNamed(tx, name);
    const before = await tx.alerts.alertThreshold(network.id);
    await tx.alerts.setAlertThreshold(network.id, threshold);
    await audit(
      tx,
      actor,
      'SetAlertThreshold',
      { objectType: 'network', objectId: network.name, dataCenterId: network.dataCenterId, tenantId: network.tenantId },
      { before: { alertThresholdPercent: before }, after: { alertThresholdPercent: threshold } },
    );
    return threshold;
  });
}

/** A webhook delivery attempt as recorded: delivered, retried after `retryInMs`, or (null) given up. */
export type WebhookOutcome = { delivered: true } | { delivered: false; error: string; retryInMs: number | null };

const WEBHOOK_RETRY_MAX_MS = 300_000;

/**
 * How attempt number `attempts` of a delivery is judged: `error` null (the receiver answered 2xx)
 * is delivered; else it is retried after the backoff (`retryBaseMs` doubling, jittered, at most
 * 5 minutes) until `maxAttempts` attempts were made, then given up (kept as 'failed').
 */
export function judgeWebhook(
  error: string | null,
  attempts: number,
  maxAttempts: number,
  retryBaseMs: number,
  random?: () => number,
): WebhookOutcome {
  if (error === null) return { delivered: true };
  return {
    delivered: false,
    error,
    retryInMs:
      attempts >= maxAttempts
        ? null
        : backoffMs(attempts, { baseMs: retryBaseMs, maxMs: WEBHOOK_RETRY_MAX_MS }, random),
  };
}

/** The webhook's JSON body: stable field names, documented in the README. */
export function webhookPayload(e: AlertEventRecord) {
  return {
    id: e.id,
    type: 'ipcd.utilization',
    direction: e.direction,
    network: e.network,
    dataCenter: e.dataCenter,
    percent: e.percent,
    thresholdPercent: e.thresholdPercent,
    used: e.used.toString(),
    assignable: e.assignable.toString(),
    at: e.at.toISOString(),
  };
}
