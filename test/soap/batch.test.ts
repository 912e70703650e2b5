/**
 * CommissionIPBatch and DecommissionIPBatch through the real HTTP server with real envelopes, on
 * both stores: one result per item in order, per-item faults, atomic all-or-nothing, idempotency
 * per item (a retried batch, an item repeated in one batch), names, the 1,000-item limit, and
 * authorization per item: an orchestrator whose grant covers some items and not others; the body
 * limits (a batch's, and 64 KiB for everything else) at their edges, and 1,000 maximal items.
 */

/** A data center name as long as the schema allows (63). */
const LONG_DC = `dc-${'x'.repeat(60)}`;
import {
  all,
  call,
  envelope,
  flat,
  NS,
  postRaw,
  readReply,
  type Fields,
  type SoapReply,
  type XmlNode,
} from '../support/soap';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { addDataCenter, addNetwork, addZone } from '../../src/logic/topology/topology';
import { contains, parseAddress, parseCidr } from '../../src/logic/core/ip';
import { addUser } from '../../src/logic/access/users';
import { authOptions } from '../../src/api/operation';
import { MAX_BATCH_BODY_BYTES, MAX_BODY_BYTES } from '../../src/config';

interface Item {
  item: number;
  ok?: Record<string, string>;
  released?: Record<string, string>[];
  fault?: { code: string; message: string };
}

function results(r: SoapReply, response: string): { head: Record<string, string>; items: Item[] } {
  if (r.fault) throw new Error(`unexpected fault ${r.fault.code}: ${r.fault.message}`);
  expect(r.body.name).toBe(`${response.replace('Response', 'BatchResponse')}`);
  const items = all(r.body, 'result').map((n: XmlNode) => {
    const ok = n.children.find((c) => c.name === response);
    const fault = n.children.find((c) => c.name === 'IpcdFault');
    expect(n.children.map((c) => c.name)).toEqual(['item', ok ? response : 'IpcdFault']);
    const item: Item = { item: Number(n.children[0].text) };
    if (ok) {
      item.ok = flat(ok);
      item.released = all(ok, 'released').map(flat);
    }
    if (fault) item.fault = { code: flat(fault).code, message: flat(fault).message };
    return item;
  });
  return { head: r.values, items };
}

describe.each(BACKENDS)('batch commissioning through SOAP (%s store)', (backend) => {
  let db: TestStore;
  let server: RunningServer;
  /** The same store behind WS-Security, for the orchestrator. */
  let guarded: RunningServer;
  const ORCH = { username: 'orch', password: 'orchestrator-pw-1' };
  const batch = async (fields: Fields) =>
    results(await call(server.url, 'CommissionIPBatch', fields), 'CommissionIPResponse');
  const release = async (fields: Fields) =>
    results(await call(server.url, 'DecommissionIPBatch', fields), 'DecommissionIPResponse');
  const active = async () =>
    Number(
      (await db.store.dataSource.query(`SELECT count(*)::int AS n FROM allocation WHERE released_at IS NULL`))[0].n,
    );
  const item = (serverInstance: string, extra: Fields = {}): Fields => ({
    dataCenter: 'dc1',
    vlan: 500,
    serverInstance,
    ...extra,
  });

  beforeAll(async () => {
    db = await openTestStore(backend);
    await addDataCenter(db.store, 'dc1');
    await addZone(db.store, 'b.test');
    await addNetwork(db.store, { dataCenter: 'dc1', zone: 'b.test', name: 'big', cidr: '10.50.0.0/21', vlan: 500 });
    // One assignable address: the second commission there is NO_FREE_ADDRESS.
    await addNetwork(db.store, { dataCenter: 'dc1', zone: 'b.test', name: 'tiny', cidr: '10.51.0.0/30', vlan: 501 });
    await addDataCenter(db.store, 'dc2');
    await addNetwork(db.store, { dataCenter: 'dc2', name: 'far', cidr: '10.52.0.0/24', vlan: 600 });
    await addDataCenter(db.store, LONG_DC);
    await addNetwork(db.store, { dataCenter: LONG_DC, name: 'maximal', cidr: '10.53.0.0/21', vlan: 4094 });
    await addUser(db.store, { ...ORCH, role: 'orchestrator', grants: [{ dataCenter: 'dc1' }] });
    server = await startServer(db.store);
    guarded = await startServer(db.store, { auth: authOptions(true) });
  });
  afterAll(async () => {
    await guarded?.close();
    await server?.close();
    await db?.dispose();
  });

  test("one result per item in order: allocations and the refused items' faults; a retry gets the same with existing", async () => {
    const items = [
      item('vm-1'),
      item('vm-2', { wantName: true }),
      { vlan: 4095, serverInstance: 'vm-bad' },
      item('vm-3', { vlan: 999 }),
      item('vm-4', { hostnameHint: 'web', wantName: true }),
    ];
    const first = await batch({ CommissionIP: items });
    expect(first.head).toMatchObject({ succeeded: '3', failed: '2' });
    expect(first.head.failedItem).toBeUndefined();
    expect(first.items.map((i) => [i.item, i.fault?.code ?? 'ok'])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'INVALID_REQUEST'],
      [4, 'UNKNOWN_VLAN'],
      [5, 'ok'],
    ]);
    const [a, b, , , c] = first.items.map((i) => i.ok!);
    expect(a).toMatchObject({
      network: 'big',
      dataCenter: 'dc1',
      vlan: '500',
      address: '10.50.0.2',
      prefixLength: '21',
      gateway: '10.50.0.1',
      existing: 'false',
    });
    expect(b).toMatchObject({ address: '10.50.0.3', existing: 'false' });
    expect(b.fqdn).toMatch(/^vm-\d{6}\.b\.test$/);
    expect(c).toMatchObject({ address: '10.50.0.4', name: 'web', fqdn: 'web.b.test' });
    // The same batch again: the same allocations, flagged existing; nothing new.
    const before = await active();
    const again = await batch({ CommissionIP: items });
    expect(again.items.map((i) => i.ok?.allocationId)).toEqual(first.items.map((i) => i.ok?.allocationId));
    expect(again.items.filter((i) => i.ok).map((i) => i.ok!.existing)).toEqual(['true', 'true', 'true']);
    expect(await active()).toBe(before);
    // An audit row per allocation, by the batch operation, and one per refused item (each time).
    const rows = await db.store.dataSource.query(
      `SELECT operation, outcome, server_instance FROM audit_log WHERE operation = 'CommissionIPBatch' ORDER BY id`,
    );
    expect(
      rows
        .filter((r: { outcome: string }) => r.outcome === 'ok')
        .map((r: { server_instance: string }) => r.server_instance),
    ).toEqual(['vm-1', 'vm-2', 'vm-4']);
    expect(
      rows.filter((r: { outcome: string }) => r.outcome !== 'ok').map((r: { outcome: string }) => r.outcome),
    ).toEqual(['INVALID_REQUEST', 'UNKNOWN_VLAN', 'INVALID_REQUEST', 'UNKNOWN_VLAN']);
  });

  test('an item repeated inside one batch gets the same allocation; a taken hint falls back to a generated name', async () => {
    const r = await batch({
      CommissionIP: [
        item('vm-rep'),
        item('vm-x', { wantName: true, hostnameHint: 'db' }),
        item('vm-rep'),
        item('vm-y', { wantName: true, hostnameHint: 'db' }),
      ],
    });
    const [one, x, two, y] = r.items.map((i) => i.ok!);
    expect(two).toEqual({ ...one, existing: 'true' });
    expect(one.existing).toBe('false');
    expect(x.fqdn).toBe('db.b.test');
    expect(y.fqdn).toMatch(/^db-\d+\.b\.test$/);
  });

  test('atomic: all written together; on a refusal nothing is written and the failing item is named', async () => {
    const ok = await batch({ atomic: true, CommissionIP: [item('vm-at-1'), item('vm-at-2')] });
    expect(ok.head).toMatchObject({ succeeded: '2', failed: '0' });
    const before = await active();
    const refused = await batch({
      atomic: true,
      CommissionIP: [item('vm-at-3'), item('vm-t1', { vlan: 501 }), item('vm-t2', { vlan: 501 }), item('vm-at-4')],
    });
    expect(refused.head).toMatchObject({ succeeded: '0', failed: '4', failedItem: '3' });
    expect(refused.items.map((i) => i.fault!.code)).toEqual([
      'BATCH_ABORTED',
      'BATCH_ABORTED',
      'NO_FREE_ADDRESS',
      'BATCH_ABORTED',
    ]);
    expect(refused.items[0].fault!.message).toMatch(/item 3 .*NO_FREE_ADDRESS/);
    expect(await active()).toBe(before);
    // An unreadable item refuses the atomic batch before anything is tried.
    const unread = await batch({ atomic: true, CommissionIP: [item('vm-at-5'), { vlan: 500 }] });
    expect(unread.head).toMatchObject({ failedItem: '2' });
    expect(unread.items[1].fault!.code).toBe('INVALID_REQUEST');
    expect(await active()).toBe(before);
    // The tiny network's one address was rolled back: it is still free.
    const tiny = await batch({ CommissionIP: [item('vm-t1', { vlan: 501 })] });
    expect(tiny.items[0].ok!.address).toBe('10.51.0.2');
  });

  test('DecommissionIPBatch: per item, in order; a repeat is harmless; atomic releases all or none', async () => {
    const issued = await batch({ CommissionIP: [item('vm-d1'), item('vm-d2'), item('vm-d3')] });
    const [d1, d2, d3] = issued.items.map((i) => i.ok!);
    const r = await release({
      DecommissionIP: [
        { dataCenter: 'dc1', vlan: 500, allocationId: d1.allocationId },
        { dataCenter: 'dc1', vlan: 500, address: '10.50.7.200' },
        { dataCenter: 'dc1', vlan: 500, serverInstance: 'vm-d2' },
      ],
    });
    expect(r.items.map((i) => i.fault?.code ?? i.ok!.releasedCount)).toEqual(['1', 'NOT_FOUND', '1']);
    expect(r.items[0].released![0]).toMatchObject({ allocationId: d1.allocationId, address: d1.address });
    expect(r.items[2].released![0]).toMatchObject({ allocationId: d2.allocationId, address: d2.address });
    const repeat = await release({ DecommissionIP: [{ dataCenter: 'dc1', vlan: 500, allocationId: d1.allocationId }] });
    expect(repeat.items[0].ok).toMatchObject({ releasedCount: '0', alreadyReleased: 'true' });
    const before = await active();
    const atomic = await release({
      atomic: true,
      DecommissionIP: [
        { dataCenter: 'dc1', vlan: 500, allocationId: d3.allocationId },
        { dataCenter: 'dc1', vlan: 500, address: '10.50.7.201' },
      ],
    });
    expect(atomic.head).toMatchObject({ failedItem: '2', succeeded: '0' });
    expect(atomic.items.map((i) => i.fault!.code)).toEqual(['BATCH_ABORTED', 'NOT_FOUND']);
    expect(await active()).toBe(before);
  });

  test('1,000 items in one network: distinct addresses inside it, in order; 1,001 or none is refused whole', async () => {
    const items = Array.from({ length: 1000 }, (_, k) => item(`vm-k${k}`));
    const r = await batch({ CommissionIP: items });
    expect(r.head).toMatchObject({ succeeded: '1000', failed: '0' });
    const addresses = r.items.map((i) => i.ok!.address);
    expect(new Set(addresses).size).toBe(1000);
    const net = parseCidr('10.50.0.0/21');
    const numeric = addresses.map((a) => parseAddress(a)!.value);
    for (const v of numeric) expect(contains(net, 4, v)).toBe(true);
    expect([...numeric].sort((x, y) => (x < y ? -1 : 1))).toEqual(numeric);
    const gone = await release({ DecommissionIP: items.map((i) => ({ ...i })) });
    expect(gone.head).toMatchObject({ succeeded: '1000' });
    expect(gone.items.every((i) => i.ok!.releasedCount === '1')).toBe(true);
    for (const n of [0, 1001]) {
      const whole = await call(server.url, 'CommissionIPBatch', {
        CommissionIP: Array.from({ length: n }, (_, k) => item(`vm-z${k}`)),
      });
      expect(whole.fault).toMatchObject({ code: 'INVALID_REQUEST' });
      expect(whole.fault!.message).toMatch(/1 to 1000/);
    }
  });

  test("per item authorization: an orchestrator granted dc1 gets dc1's items and ACCESS_DENIED for dc2's; atomic writes nothing", async () => {
    const asOrch = async (fields: Fields) =>
      results(await call(guarded.url, 'CommissionIPBatch', fields, ORCH), 'CommissionIPResponse');
    const held = async (prefix: string) =>
      (
        await db.store.dataSource.query(
          `SELECT a.server_instance AS si, d.name AS dc FROM allocation a JOIN network n ON n.id = a.network_id
             JOIN data_center d ON d.id = n.data_center_id
           WHERE a.released_at IS NULL AND a.server_instance LIKE $1 ORDER BY a.server_instance`,
          [`${prefix}%`],
        )
      ).map((r: { si: string; dc: string }) => `${r.si}@${r.dc}`);
    const far = { dataCenter: 'dc2', vlan: 600 };
    const r = await asOrch({
      CommissionIP: [
        item('vm-g1'),
        { ...far, serverInstance: 'vm-g2' },
        item('vm-g3'),
        { ...far, serverInstance: 'vm-g4' },
      ],
    });
    expect(r.head).toMatchObject({ succeeded: '2', failed: '2' });
    expect(r.items.map((i) => i.fault?.code ?? i.ok!.dataCenter)).toEqual([
      'dc1',
      'ACCESS_DENIED',
      'dc1',
      'ACCESS_DENIED',
    ]);
    expect(r.items[1].fault!.message).toMatch(/dc2/);
    expect(await held('vm-g')).toEqual(['vm-g1@dc1', 'vm-g3@dc1']);
    const rows = await db.store.dataSource.query(
      `SELECT outcome, server_instance AS si FROM audit_log WHERE actor = 'orch' AND operation = 'CommissionIPBatch' ORDER BY id`,
    );
    expect(rows.map((x: { outcome: string; si: string }) => `${x.si}:${x.outcome}`).sort()).toEqual([
      'vm-g1:ok',
      'vm-g2:ACCESS_DENIED',
      'vm-g3:ok',
      'vm-g4:ACCESS_DENIED',
    ]);

    const before = await active();
    const atomic = await asOrch({ atomic: true, CommissionIP: [item('vm-ga1'), { ...far, serverInstance: 'vm-ga2' }] });
    expect(atomic.head).toMatchObject({ succeeded: '0', failed: '2', failedItem: '2' });
    expect(atomic.items.map((i) => i.fault!.code)).toEqual(['BATCH_ABORTED', 'ACCESS_DENIED']);
    expect(await active()).toBe(before);
    expect(await held('vm-ga')).toEqual([]);
  });

  describe('body limits', () => {
    const raw = async (operation: string, body: string) => {
      const { status, text } = await postRaw(server.url, body, { SOAPAction: `"${NS}/${operation}"` });
      return readReply(status, text);
    };
    /** The call's envelope, padded with blanks inside the operation element to exactly size bytes. */
    const sized = (operation: string, fields: Fields, size: number) => {
      const body = envelope(operation, fields);
      const close = `</i:${operation}>`;
      const at = body.lastIndexOf(close);
      return body.slice(0, at) + ' '.repeat(size - Buffer.byteLength(body)) + body.slice(at);
    };
    const issued = async (prefix: string) =>
      Number(
        (
          await db.store.dataSource.query(
            `SELECT count(*)::int AS n FROM allocation WHERE released_at IS NULL AND server_instance LIKE $1`,
            [`${prefix}%`],
          )
        )[0].n,
      );

    test(`CommissionIP is held to ${MAX_BODY_BYTES} bytes: at the limit it is served, one byte over refused`, async () => {
      const at = await raw('CommissionIP', sized('CommissionIP', item('vm-size-1'), MAX_BODY_BYTES));
      expect(at.fault).toBeUndefined();
      expect(at.values).toMatchObject({ network: 'big', existing: 'false' });
      const over = await raw('CommissionIP', sized('CommissionIP', item('vm-size-2'), MAX_BODY_BYTES + 1));
      expect(over.fault).toMatchObject({
        code: 'REQUEST_TOO_LARGE',
        message: `the request body exceeds the limit of ${MAX_BODY_BYTES} bytes`,
      });
      expect(await issued('vm-size-')).toBe(1);
    });

    test(`a batch body one byte over ${MAX_BATCH_BODY_BYTES} bytes is refused whole and writes nothing; at the limit it is served`, async () => {
      const fields = { CommissionIP: [item('vm-over-1'), item('vm-over-2'), item('vm-over-3')] };
      const over = await raw('CommissionIPBatch', sized('CommissionIPBatch', fields, MAX_BATCH_BODY_BYTES + 1));
      expect(over.fault).toMatchObject({
        code: 'REQUEST_TOO_LARGE',
        message: `the request body exceeds the limit of ${MAX_BATCH_BODY_BYTES} bytes`,
      });
      expect(await issued('vm-over-')).toBe(0);
      const at = await raw('CommissionIPBatch', sized('CommissionIPBatch', fields, MAX_BATCH_BODY_BYTES));
      expect(at.fault).toBeUndefined();
      expect(at.values).toMatchObject({ succeeded: '3', failed: '0' });
      expect(await issued('vm-over-')).toBe(3);
    });

    test('1,000 maximal items fit: every field at its longest, serverInstance as character references', async () => {
      // 255 UTF-16 units, each non-ASCII one written as an 8-byte character reference (&#x20AC;).
      const instance = (k: number) => `vm-max-${k}-`.padEnd(255, '€');
      const refs = (body: string) => body.replace(/€/g, '&#x20AC;');
      const items = Array.from({ length: 1000 }, (_, k) => ({
        dataCenter: LONG_DC,
        vlan: 4094,
        serverInstance: instance(k),
        wantAddress: true,
        wantName: false,
        hostnameHint: `h${String(k).padStart(4, '0')}${'x'.repeat(58)}`,
        addressFamily: 'IPv4',
      }));
      const body = refs(envelope('CommissionIPBatch', { CommissionIP: items }));
      // More than twice the limit batches had before (1 MiB), inside today's.
      expect(Buffer.byteLength(body)).toBeGreaterThan(2 * 1024 * 1024);
      expect(Buffer.byteLength(body)).toBeLessThan(MAX_BATCH_BODY_BYTES);
      const r = results(await raw('CommissionIPBatch', body), 'CommissionIPResponse');
      expect(r.head).toMatchObject({ succeeded: '1000', failed: '0' });
      const stored = await db.store.dataSource.query(
        `SELECT server_instance AS si FROM allocation WHERE released_at IS NULL AND server_instance LIKE 'vm-max-%'`,
      );
      expect(new Set(stored.map((x: { si: string }) => x.si))).toEqual(new Set(items.map((i) => i.serverInstance)));

      // Releasing them: each item names its allocation three ways, the server instance as long as before.
      const release = items.map((i, k) => ({
        dataCenter: LONG_DC,
        vlan: 4094,
        allocationId: r.items[k].ok!.allocationId,
        address: r.items[k].ok!.address,
        serverInstance: i.serverInstance,
        releaseAddress: true,
        releaseName: true,
      }));
      const gone = refs(envelope('DecommissionIPBatch', { DecommissionIP: release }));
      expect(Buffer.byteLength(gone)).toBeLessThan(MAX_BATCH_BODY_BYTES);
      const g = results(await raw('DecommissionIPBatch', gone), 'DecommissionIPResponse');
      expect(g.head).toMatchObject({ succeeded: '1000', failed: '0' });
      expect(await issued('vm-max-')).toBe(0);
    });
  });
});
