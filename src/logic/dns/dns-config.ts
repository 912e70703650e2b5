/**
 * Which authoritative server each zone and reverse zone is published to. Administrators only;
 * every change is audited (never with the secret). Setting a server publishes the names already
 * issued in it; removing it drops what was still undelivered.
 */
import { audit } from '../audit/audit';
import {
  dnsTtl,
  formatServer,
  parseServer,
  parseTsigKey,
  recordsOf,
  reverseZoneName,
  reversePrefix,
  storedSecret,
  type DnsServer,
  type DnsZone,
  type DnsZoneRef,
} from './dns';
import { IpcdError } from '../core/errors';
import { managed } from '../core/manage';
import { mayManage, systemActor, type Actor } from '../access/policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { DnsPort } from './port';
import type { TopologyPort } from '../topology/port';
import type { AuditPort } from '../audit/port';
import { zoneName } from '../core/validate';

/** The ports this module uses. */
type Tx = { dns: DnsPort; topology: TopologyPort; audit: AuditPort };

export interface DnsServerSpec {
  /** host, host:port or [IPv6]:port (port 53 by default). */
  server: string;
  /** The TSIG key: BIND key-file text (tsig-keygen's output) or a bare base64 secret. */
  key: string;
  /** Overrides the key file's name, or names a bare secret. */
  keyName?: string;
  algorithm?: string;
  /** TTL of the published records (default 300 s). */
  ttl?: number | string;
}

/** What a listing shows of a zone's DNS settings: never the secret. */
export interface DnsZoneView {
  kind: 'forward' | 'reverse';
  zone: string;
  prefix: string | null;
  server: string | null;
  keyName: string | null;
  algorithm: string | null;
  ttl: number | null;
  /** Whether the TSIG secret is sealed under IPCD_SECRET_KEY. */
  sealed: boolean | null;
}

const isPrefix = (target: string) => String(target).includes('/');
/** The audit rows' object type of a zone or reverse-zone prefix. */
export const dnsObjectType = (target: unknown) => (isPrefix(String(target)) ? 'reverse_zone' : 'zone');

export const zoneView = (z: DnsZone): DnsZoneView => ({
  kind: z.kind,
  zone: z.name,
  prefix: z.prefix,
  server: z.server ? formatServer(z.server) : null,
  keyName: z.server?.keyName ?? null,
  algorithm: z.server?.algorithm ?? null,
  ttl: z.server?.ttl ?? null,
  sealed: z.server ? !z.server.secret.startsWith('plain$') : null,
});

/**
 * Sets the server of a forward zone (target = zone name) or of a reverse zone (target = prefix,
 * e.g. 10.0.0.0/8; created on first use). `sealKey` is IPCD_SECRET_KEY, which seals the secret.
 */
export function setZoneDns(
  store: UnitOfWork<Tx>,
  target: string,
  spec: DnsServerSpec,
  opts: { sealKey?: Buffer } = {},
  actor: Actor = systemActor(),
): Promise<DnsZoneView> {
  return managed(
    store,
    actor,
    'SetZoneDns',
    { objectType: dnsObjectType(target), objectId: String(target) },
    async (tx) => {
      const { host, port } = parseServer(spec.server);
      const key = parseTsigKey(String(spec.key ?? ''), spec.keyName, spec.algorithm);
      const server: DnsServer = {
        host,
        port,
        keyName: key.name,
        algorithm: key.algorithm,
        secret: storedSecret(key.secret, opts.sealKey),
        ttl: spec.ttl === undefined ? 300 : dnsTtl(spec.ttl),
      };
      let before: DnsZone | null;
      let after: DnsZone;
      if (isPrefix(target)) {
        const prefix = reversePrefix(target);
        const name = reverseZoneName(prefix);
        before = await tx.dns.reverseZoneByPrefix(prefix.text);
        if (before) await tx.dns.updateReverseZone(before.id, server);
        else await tx.dns.insertReverseZone(prefix.text, name, server);
        after = (await tx.dns.reverseZoneByPrefix(prefix.text))!;
      } else {
        const zone = await tx.topology.zoneByName(zoneName(target));
        if (!zone) throw new IpcdError('NOT_FOUND', `zone '${target}' is not known to ipcd`);
        before = await tx.dns.dnsZone({ kind: 'forward', id: zone.id });
        await tx.dns.setZoneServer(zone.id, server);
        after = (await tx.dns.dnsZone({ kind: 'forward', id: zone.id }))!;
      }
      // A server newly set: publish what is already issued. Changed: retry what failed, now.
      if (before?.server) await tx.dns.retryDnsChanges(after);
      else await publishExisting(tx, after);
      await audit(
        tx,
        actor,
        'SetZoneDns',
        { objectType: after.kind === 'forward' ? 'zone' : 'reverse_zone', objectId: after.prefix ?? after.name },
        {
          before: before ? zoneView(before) : null,
          after: zoneView(after),
        },
      );
      return zoneView(after);
    },
  );
}

/** Stops publishing a zone (or removes a reverse zone): undelivered changes are dropped, records already published stay. */
export function clearZoneDns(
  store: UnitOfWork<Tx>,
  target: string,
  actor: Actor = systemActor(),
): Promise<DnsZoneView> {
  return managed(
    store,
    actor,
    'ClearZoneDns',
    { objectType: dnsObjectType(target), objectId: String(target) },
    async (tx) => {
      let before: DnsZone;
      if (isPrefix(target)) {
        const prefix = reversePrefix(target);
        const found = await tx.dns.reverseZoneByPrefix(prefix.text);
        if (!found) throw new IpcdError('NOT_FOUND', `no reverse zone is configured for ${prefix.text}`);
        before = found;
        await tx.dns.deleteReverseZone(found.id);
      } else {
        const zone = await tx.topology.zoneByName(zoneName(target));
        if (!zone) throw new IpcdError('NOT_FOUND', `zone '${target}' is not known to ipcd`);
        before = (await tx.dns.dnsZone({ kind: 'forward', id: zone.id }))!;
        await tx.dns.skipDnsChanges(before, `zone ${zone.name} has no DNS server configured any more`);
        await tx.dns.setZoneServer(zone.id, null);
      }
      await audit(
        tx,
        actor,
        'ClearZoneDns',
        { objectType: before.kind === 'forward' ? 'zone' : 'reverse_zone', objectId: before.prefix ?? before.name },
        { before: zoneView(before) },
      );
      return { ...zoneView(before), server: null, keyName: null, algorithm: null, ttl: null, sealed: null };
    },
  );
}

export async function listDnsZones(store: UnitOfWork<Tx>, actor: Actor = systemActor()): Promise<DnsZoneView[]> {
  mayManage(actor.principal, 'read the DNS configuration');
  return (await store.transaction((tx) => tx.dns.listDnsZones())).map(zoneView);
}

const PAGE = 1000;

/** Queues adds for the zone's share of the records of every active named address. */
async function publishExisting(tx: Tx, zone: DnsZone): Promise<void> {
  const mine = (r: { zone: DnsZoneRef }) => r.zone.kind === zone.kind && r.zone.id === zone.id;
  let afterId: string | undefined;
  for (;;) {
    const page = await tx.dns.publishableAllocations(
      zone.kind === 'forward'
        ? { zoneId: zone.id, afterId, limit: PAGE }
        : { prefix: zone.prefix!, afterId, limit: PAGE },
    );
    for (const a of page) {
      const records = (await recordsOf(tx, a)).filter(mine);
      if (records.length)
        await tx.dns.enqueueDnsChanges(
          records.map((r) => ({ ...r, zone: { kind: r.zone.kind, id: r.zone.id }, allocationId: a.id, action: 'add' })),
        );
    }
    if (page.length < PAGE) return;
    afterId = page[page.length - 1].id;
  }
}
