/**
 * Containers and AllocateNetwork through the real HTTP server with real SOAP envelopes and
 * WS-Security, on both stores: the lowest free child around carved and hand-added networks, a
 * tenant's container, IPv6 /48 → /64, an idempotent retry (and a key reused for another request),
 * AddNetwork refused inside a container over a network on any VLAN (outside containers per VLAN),
 * NO_FREE_PREFIX when the container is full, removal only when empty, the audit rows each call
 * leaves, and every message valid against the schema in wsdl/ipcd-admin.wsdl.
 */
import {
  AuditWatch,
  faultOf,
  ok,
  openAdminFixture,
  type AdminFixture,
  type AuditExpectation,
  validateExchanges,
} from '../support/admin';
import { BACKENDS } from '../support/backends';
import { all, flat, text, type Fields, type SoapReply } from '../support/soap';

jest.setTimeout(180_000);

describe.each(BACKENDS)('containers and AllocateNetwork over SOAP (%s)', (kind) => {
  let f: AdminFixture;
  let watch: AuditWatch;
  const change = async (op: string, fields: Fields, rows: AuditExpectation[] | AuditExpectation) => {
    const r = ok(await f.admin(op, fields));
    await watch.expect(rows);
    return r;
  };
  const refused = async (op: string, fields: Fields, code: string, rows: AuditExpectation[] = []) => {
    const r = await f.admin(op, fields);
    expect(faultOf(r)).toBe(code);
    await watch.expect(rows);
    return r;
  };
  const carved = (r: SoapReply): Record<string, string> => {
    const n = all(r.body, 'network')[0];
    return { ...flat(n), existing: r.values.existing, container: r.values.container };
  };
  const carve = (fields: Fields) => f.admin('AllocateNetwork', fields);
  const CARVED = (name: string): AuditExpectation => ({
    operation: 'AllocateNetwork',
    objectType: 'network',
    objectId: name,
  });

  beforeAll(async () => {
    f = await openAdminFixture(kind);
    for (const name of ['dc1', 'dc2']) ok(await f.admin('AddDataCenter', { name }));
    ok(await f.admin('AddTenant', { name: 'acme' }));
    ok(await f.admin('AddZone', { name: 'carve.test' }));
    watch = new AuditWatch(f);
    await watch.mark();
  });
  afterAll(() => f?.close());

  test('AddContainer, overlap and special-purpose refusals, ListContainers', async () => {
    const added = await change(
      'AddContainer',
      { name: 'plan', cidr: '10.64.0.0/22', dataCenter: 'dc1', tenant: 'acme', description: 'web tier' },
      { operation: 'AddContainer', objectType: 'container', objectId: 'plan' },
    );
    expect(flat(all(added.body, 'container')[0])).toEqual({
      name: 'plan',
      cidr: '10.64.0.0/22',
      family: 'IPv4',
      dataCenter: 'dc1',
      tenant: 'acme',
      description: 'web tier',
      size: '1024',
      used: '0',
      percentUsed: '0.00',
    });
    await refused('AddContainer', { name: 'over', cidr: '10.64.2.0/24', dataCenter: 'dc1' }, 'CONFLICT', [
      { operation: 'AddContainer', objectType: 'container', objectId: 'over', outcome: 'CONFLICT' },
    ]);
    await refused('AddContainer', { name: 'mc', cidr: '224.1.0.0/16', dataCenter: 'dc1' }, 'INVALID_REQUEST', [
      { operation: 'AddContainer', objectType: 'container', outcome: 'INVALID_REQUEST' },
    ]);
    await refused('AddContainer', { name: 'x', cidr: '10.64.0.0/22', dataCenter: 'nowhere' }, 'UNKNOWN_DATA_CENTER', [
      { operation: 'AddContainer', objectType: 'container', outcome: 'UNKNOWN_DATA_CENTER' },
    ]);
    await change(
      'AddContainer',
      { name: 'plan-dc2', cidr: '10.64.0.0/22', dataCenter: 'dc2' },
      { operation: 'AddContainer', objectType: 'container' },
    );
    await change(
      'AddContainer',
      { name: 'plan6', cidr: '2001:db8:64::/48', dataCenter: 'dc1' },
      { operation: 'AddContainer', objectType: 'container' },
    );
    const list = ok(await f.admin('ListContainers', { dataCenter: 'dc1' }));
    await watch.expect([]);
    expect(all(list.body, 'container').map((c) => text(c, 'name'))).toEqual(['plan', 'plan6']);
    expect(all(ok(await f.admin('ListContainers', {})).body, 'container')).toHaveLength(3);
    await refused('ListContainers', { dataCenter: 'dc9' }, 'UNKNOWN_DATA_CENTER');
  });

  test('AllocateNetwork carves the lowest free child around networks on any VLAN, as AddNetwork would', async () => {
    ok(await f.admin('AddNetwork', { name: 'by-hand', cidr: '10.64.0.0/24', dataCenter: 'dc1', vlan: 5 }));
    await watch.mark();
    const a = await carve({
      container: 'plan',
      prefixLength: 24,
      name: 'web-a',
      vlan: 300,
      vxlan: 10300,
      zone: 'carve.test',
      tag: [{ key: 'tier', value: 'web' }],
      idempotencyKey: 'msg-a',
    });
    expect(carved(ok(a))).toMatchObject({
      name: 'web-a',
      cidr: '10.64.1.0/24',
      dataCenter: 'dc1',
      vlan: '300',
      vxlan: '10300',
      tenant: 'acme',
      zone: 'carve.test',
      gateway: '10.64.1.1',
      assignable: '253',
      used: '0',
      existing: 'false',
      container: 'plan',
    });
    expect(all(all(a.body, 'network')[0], 'tag').map((t) => flat(t))).toEqual([{ key: 'tier', value: 'web' }]);
    await watch.expect(CARVED('web-a'));
    // The carved network serves commissions straight away.
    const c = ok(
      await f.ipcd('CommissionIP', { dataCenter: 'dc1', vlan: 300, serverInstance: 'vm-1', wantName: true }),
    );
    expect(c.values).toMatchObject({
      network: 'web-a',
      address: '10.64.1.2',
      gateway: '10.64.1.1',
      fqdn: expect.stringMatching(/\.carve\.test$/),
    });
    await watch.mark();
    expect(
      carved(
        ok(await carve({ container: 'plan', prefixLength: 25, name: 'web-b', vlan: 301, idempotencyKey: 'msg-b' })),
      ),
    ).toMatchObject({ cidr: '10.64.2.0/25' });
    await watch.expect(CARVED('web-b'));
    // Another tenant than the container's is refused; so is a child that cannot be a network.
    await refused(
      'AllocateNetwork',
      { container: 'plan', prefixLength: 24, name: 'web-x', tenant: 'nobody', idempotencyKey: 'msg-x' },
      'INVALID_REQUEST',
      [{ operation: 'AllocateNetwork', objectType: 'network', objectId: 'web-x', outcome: 'INVALID_REQUEST' }],
    );
    await refused(
      'AllocateNetwork',
      { container: 'plan', prefixLength: 21, name: 'web-x', idempotencyKey: 'msg-x' },
      'INVALID_REQUEST',
      [{ operation: 'AllocateNetwork', objectType: 'network', outcome: 'INVALID_REQUEST' }],
    );
    await refused(
      'AllocateNetwork',
      { container: 'nope', prefixLength: 24, name: 'web-x', idempotencyKey: 'msg-x' },
      'NOT_FOUND',
      [{ operation: 'AllocateNetwork', objectType: 'network', outcome: 'NOT_FOUND' }],
    );
    await refused(
      'AllocateNetwork',
      { container: 'plan', prefixLength: 24, name: 'web-a', idempotencyKey: 'msg-dup' },
      'CONFLICT',
      [{ operation: 'AllocateNetwork', objectType: 'network', outcome: 'CONFLICT' }],
    );
  });

  test('a retry with the same key gets the same network back and changes nothing; another request under it is refused', async () => {
    const fields = {
      container: 'plan',
      prefixLength: 24,
      name: 'web-a',
      vlan: 300,
      vxlan: 10300,
      zone: 'carve.test',
      tag: [{ key: 'tier', value: 'web' }],
      idempotencyKey: 'msg-a',
    };
    const again = carved(ok(await carve(fields)));
    expect(again).toMatchObject({ name: 'web-a', cidr: '10.64.1.0/24', used: '1', existing: 'true' });
    await watch.expect([]);
    await refused('AllocateNetwork', { ...fields, prefixLength: 26 }, 'CONFLICT', [
      { operation: 'AllocateNetwork', objectType: 'network', objectId: 'web-a', outcome: 'CONFLICT' },
    ]);
    const [plan] = all(ok(await f.admin('ListContainers', { dataCenter: 'dc1' })).body, 'container');
    expect(flat(plan)).toMatchObject({ used: String(256 + 256 + 128), percentUsed: '62.50' });
    expect(all(plan, 'network').map(flat)).toEqual([
      { name: 'by-hand', cidr: '10.64.0.0/24', vlan: '5', carved: 'false' },
      { name: 'web-a', cidr: '10.64.1.0/24', vlan: '300', carved: 'true' },
      { name: 'web-b', cidr: '10.64.2.0/25', vlan: '301', carved: 'true' },
    ]);
  });

  test('AddNetwork inside a container may not overlap a network there on any VLAN; outside containers only per VLAN', async () => {
    const planNetworks = async () =>
      all(
        all(ok(await f.admin('ListContainers', { dataCenter: 'dc1' })).body, 'container').find(
          (c) => text(c, 'name') === 'plan',
        )!,
        'network',
      ).map(flat);
    const before = await planNetworks();
    await watch.mark();
    const r = await refused(
      'AddNetwork',
      { name: 'stray', cidr: '10.64.1.128/25', dataCenter: 'dc1', vlan: 7 },
      'CONFLICT',
      [{ operation: 'AddNetwork', objectType: 'network', objectId: 'stray', outcome: 'CONFLICT' }],
    );
    expect(r.fault!.message).toBe(
      '10.64.1.128/25 overlaps network web-a (10.64.1.0/24, VLAN 300) inside container plan (10.64.0.0/22) in data center dc1: networks inside a container may not overlap, whatever their VLAN',
    );
    // A network holding the whole container overlaps what is inside it too; so does one without a VLAN.
    await refused('AddNetwork', { name: 'stray', cidr: '10.64.0.0/21', dataCenter: 'dc1', vlan: 7 }, 'CONFLICT', [
      { operation: 'AddNetwork', objectType: 'network', objectId: 'stray', outcome: 'CONFLICT' },
    ]);
    await refused('AddNetwork', { name: 'stray', cidr: '10.64.0.0/30', dataCenter: 'dc1' }, 'CONFLICT', [
      { operation: 'AddNetwork', objectType: 'network', objectId: 'stray', outcome: 'CONFLICT' },
    ]);
    expect(await planNetworks()).toEqual(before);
    expect(faultOf(await f.admin('RemoveNetwork', { network: 'stray' }))).toBe('NOT_FOUND');
    await watch.mark();
    // Free space of the container may be taken by hand on any VLAN; the same prefix in another data center is another plan.
    ok(await f.admin('AddNetwork', { name: 'free-hand', cidr: '10.64.3.0/26', dataCenter: 'dc1', vlan: 7 }));
    ok(await f.admin('AddNetwork', { name: 'dc2-hand', cidr: '10.64.1.0/24', dataCenter: 'dc2', vlan: 7 }));
    // Outside containers tenants reuse prefixes on their own VLANs, as before.
    ok(await f.admin('AddNetwork', { name: 'reuse-a', cidr: '10.65.0.0/24', dataCenter: 'dc1', vlan: 7 }));
    ok(await f.admin('AddNetwork', { name: 'reuse-b', cidr: '10.65.0.0/24', dataCenter: 'dc1', vlan: 8 }));
    await watch.mark();
    await refused('AddNetwork', { name: 'reuse-c', cidr: '10.65.0.128/25', dataCenter: 'dc1', vlan: 8 }, 'CONFLICT', [
      { operation: 'AddNetwork', objectType: 'network', objectId: 'reuse-c', outcome: 'CONFLICT' },
    ]);
    for (const n of ['free-hand', 'dc2-hand', 'reuse-a', 'reuse-b']) ok(await f.admin('RemoveNetwork', { network: n }));
    await watch.mark();
  });

  test('a full container answers NO_FREE_PREFIX, naming what uses it', async () => {
    ok(await carve({ container: 'plan', prefixLength: 25, name: 'web-c', idempotencyKey: 'msg-c' }));
    ok(await carve({ container: 'plan', prefixLength: 24, name: 'web-d', idempotencyKey: 'msg-d' }));
    await watch.mark();
    const r = await refused(
      'AllocateNetwork',
      { container: 'plan', prefixLength: 30, name: 'web-e', idempotencyKey: 'msg-e' },
      'NO_FREE_PREFIX',
      [{ operation: 'AllocateNetwork', objectType: 'network', objectId: 'web-e', outcome: 'NO_FREE_PREFIX' }],
    );
    expect(r.fault).toMatchObject({
      faultcode: expect.stringMatching(/Client$/),
      message: "container 'plan' (10.64.0.0/22) has no free /30 left: 5 network(s) use 100.00% of it",
    });
  });

  test('IPv6: a /48 gives /64s in order, without enumerating its 65,536 children', async () => {
    ok(await f.admin('AddNetwork', { name: 'v6-hand', cidr: '2001:db8:64::/49', dataCenter: 'dc1', vlan: 6 }));
    await watch.mark();
    const got: string[] = [];
    for (let i = 0; i < 3; i++)
      got.push(
        carved(
          ok(
            await carve({
              container: 'plan6',
              prefixLength: 64,
              name: `v6-${i}`,
              vlan: 600 + i,
              idempotencyKey: `v6-${i}`,
            }),
          ),
        ).cidr,
      );
    expect(got).toEqual(['2001:db8:64:8000::/64', '2001:db8:64:8001::/64', '2001:db8:64:8002::/64']);
    await watch.expect([0, 1, 2].map((i) => CARVED(`v6-${i}`)));
    const plan6 = all(ok(await f.admin('ListContainers', {})).body, 'container').find(
      (c) => text(c, 'name') === 'plan6',
    )!;
    expect(flat(plan6)).toMatchObject({
      family: 'IPv6',
      size: (2n ** 80n).toString(),
      used: (2n ** 79n + 3n * 2n ** 64n).toString(),
      percentUsed: '50.00',
    });
  });

  test('RemoveContainer only when no network is left inside it', async () => {
    await refused('RemoveContainer', { name: 'plan6' }, 'CONFLICT', [
      { operation: 'RemoveContainer', objectType: 'container', objectId: 'plan6', outcome: 'CONFLICT' },
    ]);
    for (const n of ['v6-hand', 'v6-0', 'v6-1', 'v6-2']) ok(await f.admin('RemoveNetwork', { network: n }));
    await watch.mark();
    expect(ok(await f.admin('RemoveContainer', { name: 'plan6' })).values).toEqual({ name: 'plan6' });
    await watch.expect({ operation: 'RemoveContainer', objectType: 'container', objectId: 'plan6' });
    await refused('RemoveContainer', { name: 'plan6' }, 'NOT_FOUND', [
      { operation: 'RemoveContainer', objectType: 'container', objectId: 'plan6', outcome: 'NOT_FOUND' },
    ]);
  });

  test('every message above validates against the schema in wsdl/ipcd-admin.wsdl (xmllint)', async () => {
    const r = await validateExchanges(f.exchanges);
    expect(r.checked.some((x) => x.received.includes('<ipcd:code>NO_FREE_PREFIX</ipcd:code>'))).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.code).toBe(0);
  });
});
