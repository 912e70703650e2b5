/**
 * The DNS outbox's rules, as the worker (src/ops/dns-publisher.ts) applies them to each claimed
 * change: where it goes, or why it goes nowhere (the zone has no server any more: skipped), and
 * what a failed delivery means — retry after a backoff when the server did not answer, or
 * failed (the server refused: waits for an administrator).
 */
import { isTransient, openSecret, retryDelayMs, type DnsChange, type DnsZone } from './dns';
import type { UnitOfWork } from '../core/unit-of-work';
import type { DnsOutboxStats, DnsOutcome, DnsPort, DnsTarget, DnsUpdate } from './port';

/** A change whose zone has no server is not sent: the outcome to record, else null. */
export function skipped(zone: DnsZone | null): { state: 'skipped'; error: string } | null {
  return zone?.server
    ? null
    : { state: 'skipped', error: `zone ${zone?.name ?? '(removed)'} has no DNS server configured` };
}

/** The UPDATE a change makes on its zone's server; throws DnsDeliveryError when the TSIG secret cannot be opened. */
export function updateOf(c: DnsChange, zone: DnsZone, sealKey?: Buffer): { target: DnsTarget; update: DnsUpdate } {
  const s = zone.server;
  if (!s) throw new Error(`zone ${zone.name} has no DNS server configured`);
  return {
    target: {
      host: s.host,
      port: s.port,
      key: { name: s.keyName, algorithm: s.algorithm, secret: openSecret(s.secret, sealKey) },
    },
    update: { zone: zone.name, owner: c.owner, action: c.action, rtype: c.rtype, rdata: c.rdata, ttl: s.ttl },
  };
}

/** A delivery that did not answer (this time or earlier in the pass) is retried after the backoff. */
export const retryLater = (c: DnsChange, error: string, retryMaxMs: number): DnsOutcome => ({
  state: 'pending',
  error,
  retryInMs: retryDelayMs(c.attempts + 1, retryMaxMs),
});

/** How a failed delivery to `server` is recorded: transient failures retry, refusals wait for an administrator. */
export function judgeFailure(c: DnsChange, server: string, e: unknown, retryMaxMs: number): DnsOutcome {
  const error = `${server}: ${e instanceof Error ? e.message : String(e)}`;
  return isTransient(e) ? retryLater(c, error, retryMaxMs) : { state: 'failed', error };
}

/** Outbox depth and the age of its oldest pending change: for health checks and metrics. */
export async function dnsOutboxStats(
  store: UnitOfWork<{ dns: DnsPort }>,
): Promise<DnsOutboxStats & { oldestPendingAgeSeconds: number | null }> {
  const s = await store.transaction((tx) => tx.dns.dnsOutboxStats());
  return {
    ...s,
    oldestPendingAgeSeconds:
      s.oldestPendingAt === null ? null : Math.max(0, (Date.now() - s.oldestPendingAt.getTime()) / 1000),
  };
}
