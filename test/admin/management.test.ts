/**
 * Every management operation (wsdl/ipcd-admin.wsdl) through the real HTTP server with real SOAP
 * envelopes and WS-Security on, on PostgreSQL; a smaller run on the embedded store. Each call is
 * followed by a look at the audit log: a change leaves exactly its row, a refusal its refusal row
 * (malformed arguments too), a read nothing. Split and merge run with allocations inside, and every allocation must still
 * resolve to the same address and name afterwards.
 */
import {
  AuditWatch,
  faultOf,
  ok,
  openAdminFixture,
  queryAuditAll,
  ROOT_USER,
  type AdminFixture,
  type AuditExpectation,
  validateExchanges,
} from '../support/admin';
import { MANAGEMENT } from '../../src/api/contract';
import { all, flat, text, type Credentials, type Fields, type SoapReply, type XmlNode } from '../support/soap';

jest.setTimeout(120_000);

const names = (r: SoapReply, element = 'network') => all(r.body, element).map((n) => text(n, 'name'));
const tags = (n: XmlNode) => Object.fromEntries(all(n, 'tag').map((t) => [text(t, 'key'), text(t, 'value')]));

interface Issued {
  instance: string;
  allocationId: string;
  address: string;
  fqdn: string;
}

function harness(getF: () => AdminFixture, getWatch: () => AuditWatch) {
  /** A management call that must succeed and leave exactly `rows` in the audit log. */
  const change = async (op: string, fields: Fields, rows: AuditExpectation[] | AuditExpectation) => {
    const r = ok(await getF().admin(op, fields));
    await getWatch().expect(rows);
    return r;
  };
  /** A management call that must be refused with `code`, leaving `rows` (a change's refusal row; none for a read or a request refused before authentication). */
  const refused = async (op: string, fields: Fields, code: string, rows: AuditExpectation[] = [], as?: Credentials) => {
    const r = await getF().admin(op, fields, as);
    expect(faultOf(r)).toBe(code);
    await getWatch().expect(rows);
    return r;
  };
  /** A read: no audit row. */
  const read = async (op: string, fields: Fields = {}, as?: Credentials) => {
    const r = ok(await getF().admin(op, fields, as));
    await getWatch().expect([]);
    return r;
  };
  const commission = async (fields: Fields): Promise<Issued> => {
    const r = ok(await getF().ipcd('CommissionIP', { wantName: true, ...fields }));
    await getWatch().expect({ operation: 'CommissionIP', objectType: 'allocation', objectId: r.values.allocationId });
    return {
      instance: String(fields.serverInstance),
      allocationId: r.values.allocationId,
      address: r.values.address,
      fqdn: r.values.fqdn,
    };
  };
  return { change, refused, read, commission };
}

describe.each(['postgres', 'embedded'] as const)('management service on %s', (kind) => {
  const full = kind === 'postgres';
  let f: AdminFixture;
  let watch: AuditWatch;
  const { change, refused, read, commission } = harness(
    () => f,
    () => watch,
  );

  beforeAll(async () => {
    f = await openAdminFixture(kind);
    watch = new AuditWatch(f);
    await watch.mark();
  });
  afterAll(() => f?.close());

  test('data centers, tenants and zones: add, list, remove (refused while in use)', async () => {
    const dc = await change(
      'AddDataCenter',
      { name: 'dc1', description: 'Frankfurt' },
      { operation: 'AddDataCenter', objectType: 'data_center' },
    );
    expect(flat(dc.body.children[0])).toEqual({ name: 'dc1', description: 'Frankfurt' });
    await change('AddDataCenter', { name: 'dc2' }, { operation: 'AddDataCenter', objectType: 'data_center' });
    await refused('AddDataCenter', { name: 'dc1' }, 'CONFLICT', [
      { operation: 'AddDataCenter', objectType: 'data_center', objectId: 'dc1', outcome: 'CONFLICT' },
    ]);
    await refused('AddDataCenter', { name: 'bad name!' }, 'INVALID_REQUEST', [
      { operation: 'AddDataCenter', objectType: 'data_center', outcome: 'INVALID_REQUEST' },
    ]);
    expect(names(await read('ListDataCenters'), 'dataCenter')).toEqual(['dc1', 'dc2']);

    for (const t of ['t1', 't2', 'gone'])
      await change('AddTenant', { name: t }, { operation: 'AddTenant', objectType: 'tenant' });
    await change('AddZone', { name: 'dc1.test' }, { operation: 'AddZone', objectType: 'zone' });
    await change('AddZone', { name: 'Gone.Test.' }, { operation: 'AddZone', objectType: 'zone' });
    expect(names(await read('ListTenants'), 'tenant')).toEqual(['gone', 't1', 't2']);
    expect(names(await read('ListZones'), 'zone')).toEqual(['dc1.test', 'gone.test']);

    await change('RemoveTenant', { name: 'gone' }, { operation: 'RemoveTenant', objectType: 'tenant' });
    await change('RemoveZone', { name: 'gone.test' }, { operation: 'RemoveZone', objectType: 'zone' });
    await change('AddDataCenter', { name: 'dcx' }, { operation: 'AddDataCenter', objectType: 'data_center' });
    const removed = await change(
      'RemoveDataCenter',
      { name: 'dcx' },
      { operation: 'RemoveDataCenter', objectType: 'data_center' },
    );
    expect(removed.values).toEqual({ name: 'dcx' });
    expect(names(await read('ListTenants'), 'tenant')).toEqual(['t1', 't2']);
    expect(names(await read('ListDataCenters'), 'dataCenter')).toEqual(['dc1', 'dc2']);
    await refused('RemoveTenant', { name: 'gone' }, 'NOT_FOUND', [
      { operation: 'RemoveTenant', objectType: 'tenant', outcome: 'NOT_FOUND' },
    ]);
    await refused('RemoveDataCenter', { name: 'nowhere' }, 'UNKNOWN_DATA_CENTER', [
      { operation: 'RemoveDataCenter', objectType: 'data_center', outcome: 'UNKNOWN_DATA_CENTER' },
    ]);
  });

  test('AddNetwork: attributes, tags and utilization come back; IPv6 counts beyond 64 bits; overlap refused', async () => {
    const r = await change(
      'AddNetwork',
      {
        name: 'n1',
        cidr: '10.0.0.0/24',
        dataCenter: 'dc1',
        vlan: 100,
        tenant: 't1',
        priority: 10,
        zone: 'dc1.test',
        tag: [
          { key: 'env', value: 'prod' },
          { key: 'rack', value: 'r1' },
        ],
      },
      { operation: 'AddNetwork', objectType: 'network' },
    );
    const n = r.body.children[0];
    expect({ ...flat(n), tag: tags(n) }).toEqual({
      name: 'n1',
      cidr: '10.0.0.0/24',
      family: 'IPv4',
      dataCenter: 'dc1',
      vlan: '100',
      tenant: 't1',
      priority: '10',
      zone: 'dc1.test',
      gateway: '10.0.0.1',
      reservePool: 'false',
      namePattern: 'vm-{seq:6}',
      holdDownSeconds: '0',
      tag: { env: 'prod', rack: 'r1' },
      assignable: '253',
      used: '0',
      held: '0',
      reserved: '0',
      free: '253',
      percentUsed: '0.00',
    });
    const v6 = await change(
      'AddNetwork',
      { name: 'v6', cidr: '2001:db8:100::/48', dataCenter: 'dc1', vlan: 100, tenant: 't1', zone: 'dc1.test' },
      { operation: 'AddNetwork', objectType: 'network' },
    );
    // 2^80 addresses less the subnet-router anycast and the gateway: past xsd:unsignedLong.
    expect(flat(v6.body.children[0]).assignable).toBe(String(2n ** 80n - 2n));
    await refused(
      'AddNetwork',
      { name: 'n1-overlap', cidr: '10.0.0.128/25', dataCenter: 'dc1', vlan: 100 },
      'CONFLICT',
      [{ operation: 'AddNetwork', objectType: 'network', objectId: 'n1-overlap', outcome: 'CONFLICT' }],
    );
    await refused(
      'AddNetwork',
      { name: 'x', cidr: '10.9.0.0/24', dataCenter: 'dc1', gateway: '10.9.0.1', noGateway: true },
      'INVALID_REQUEST',
      [{ operation: 'AddNetwork', objectType: 'network', outcome: 'INVALID_REQUEST' }],
    );
    await refused(
      'AddNetwork',
      {
        name: 'x',
        cidr: '10.9.0.0/24',
        dataCenter: 'dc1',
        tag: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      },
      'INVALID_REQUEST',
      [{ operation: 'AddNetwork', objectType: 'network', outcome: 'INVALID_REQUEST' }],
    );
    await refused(
      'AddNetwork',
      { name: 'x', cidr: '10.9.0.0/24', dataCenter: 'dc1', colour: 'red' },
      'INVALID_REQUEST',
      [{ operation: 'AddNetwork', objectType: 'network', outcome: 'INVALID_REQUEST' }],
    );
    await refused('RemoveTenant', { name: 't1' }, 'CONFLICT', [
      { operation: 'RemoveTenant', objectType: 'tenant', outcome: 'CONFLICT' },
    ]);
  });

  test('EditNetwork changes only what is given; clear removes optional attributes; TagNetwork sets and removes', async () => {
    await change(
      'AddNetwork',
      { name: 'e1', cidr: '10.5.0.0/24', dataCenter: 'dc2', vlan: 50, tag: { key: 'old', value: 'x' } },
      { operation: 'AddNetwork', objectType: 'network' },
    );
    const r = await change(
      'EditNetwork',
      {
        network: 'e1',
        newName: 'e1b',
        vxlan: 5000,
        tenant: 't2',
        priority: 7,
        zone: 'dc1.test',
        gateway: '10.5.0.254',
        reservePool: true,
        namePattern: 'h-{seq:3}',
        holdDownSeconds: 60,
        tag: [{ key: 'owner', value: 'ops' }],
      },
      { operation: 'EditNetwork', objectType: 'network' },
    );
    const e = r.body.children[0];
    expect({ ...flat(e), tag: tags(e) }).toMatchObject({
      name: 'e1b',
      vxlan: '5000',
      tenant: 't2',
      priority: '7',
      zone: 'dc1.test',
      gateway: '10.5.0.254',
      reservePool: 'true',
      namePattern: 'h-{seq:3}',
      holdDownSeconds: '60',
      tag: { owner: 'ops' },
    });
    const cleared = flat(
      (
        await change(
          'EditNetwork',
          { network: 'e1b', clear: ['vxlan', 'tenant', 'zone', 'gateway', 'tags'] },
          { operation: 'EditNetwork', objectType: 'network' },
        )
      ).body.children[0],
    );
    for (const gone of ['vxlan', 'tenant', 'zone', 'gateway', 'tag']) expect(cleared).not.toHaveProperty(gone);
    expect(cleared).toMatchObject({ name: 'e1b', priority: '7', assignable: '254' }); // no gateway: one more assignable
    await refused('EditNetwork', { network: 'e1b', zone: 'dc1.test', clear: 'zone' }, 'INVALID_REQUEST', [
      { operation: 'EditNetwork', objectType: 'network', outcome: 'INVALID_REQUEST' },
    ]);
    await refused('EditNetwork', { network: 'e1b', clear: 'cidr' }, 'INVALID_REQUEST', [
      { operation: 'EditNetwork', objectType: 'network', outcome: 'INVALID_REQUEST' },
    ]);
    await refused('EditNetwork', { network: 'nope', priority: 1 }, 'NOT_FOUND', [
      { operation: 'EditNetwork', objectType: 'network', objectId: 'nope', outcome: 'NOT_FOUND' },
    ]);

    const t = await change(
      'TagNetwork',
      {
        network: 'n1',
        set: [
          { key: 'owner', value: 'ops' },
          { key: 'env', value: 'production' },
        ],
        remove: 'rack',
      },
      { operation: 'TagNetwork', objectType: 'network' },
    );
    expect(tags(t.body.children[0])).toEqual({ env: 'production', owner: 'ops' });
  });

  test('reservations are never handed out; overlapping an allocation is refused; unreserving frees them', async () => {
    const r = await change(
      'ReserveRange',
      { network: 'n1', first: '10.0.0.2', last: '10.0.0.3', note: 'appliances' },
      { operation: 'ReserveRange', objectType: 'network', objectId: 'n1' },
    );
    const res = flat(all(r.body, 'reservation')[0]);
    expect(res).toMatchObject({ network: 'n1', first: '10.0.0.2', last: '10.0.0.3', note: 'appliances' });
    const listed = await read('ListReservations', { network: 'n1' });
    expect(all(listed.body, 'reservation').map((x) => flat(x).id)).toEqual([res.id]);
    const a = await commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-r1' });
    expect(a.address).toBe('10.0.0.4');
    const n1 = flat(
      all((await read('SearchNetworks', { dataCenter: 'dc1', vlan: 100, name: 'n1' })).body, 'network').find(
        (n) => text(n, 'name') === 'n1',
      )!,
    );
    expect(n1).toMatchObject({ assignable: '253', used: '1', reserved: '2', free: '250', percentUsed: '0.39' });
    await refused('ReserveRange', { network: 'n1', first: '10.0.0.4' }, 'CONFLICT', [
      { operation: 'ReserveRange', objectType: 'network', objectId: 'n1', outcome: 'CONFLICT' },
    ]);
    await refused('ReserveRange', { network: 'n1', first: '10.1.0.4' }, 'INVALID_REQUEST', [
      { operation: 'ReserveRange', objectType: 'network', objectId: 'n1', outcome: 'INVALID_REQUEST' },
    ]);
    const un = await change(
      'UnreserveRange',
      { network: 'n1', id: res.id },
      { operation: 'UnreserveRange', objectType: 'network', objectId: 'n1' },
    );
    expect(flat(all(un.body, 'reservation')[0])).toMatchObject({ id: res.id, first: '10.0.0.2' });
    expect(all((await read('ListReservations', { network: 'n1' })).body, 'reservation')).toEqual([]);
    expect((await commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-r2' })).address).toBe('10.0.0.2');
  });

  describe('split and merge with allocations inside', () => {
    const issued: Issued[] = [];

    /** Every allocation still resolves to the same address and name: through ListAllocations and SearchAllocations. */
    const expectResolvable = async (networkOf: (address: string) => string) => {
      const listed = ok(await f.ipcd('ListAllocations', { dataCenter: 'dc1', vlan: 70, pageSize: 1000 }));
      const byId = new Map(all(listed.body, 'allocation').map((x) => [text(x, 'allocationId')!, flat(x)]));
      for (const a of issued) {
        expect(byId.get(a.allocationId)).toMatchObject({
          serverInstance: a.instance,
          address: a.address,
          fqdn: a.fqdn,
          network: networkOf(a.address),
        });
        const byAddress = all(
          (await read('SearchAllocations', { dataCenter: 'dc1', address: a.address })).body,
          'allocation',
        ).map(flat);
        expect(byAddress).toEqual([
          expect.objectContaining({
            allocationId: a.allocationId,
            address: a.address,
            fqdn: a.fqdn,
            network: networkOf(a.address),
          }),
        ]);
        const byName = all((await read('SearchAllocations', { name: a.fqdn })).body, 'allocation').map(flat);
        expect(byName.map((x) => x.allocationId)).toEqual([a.allocationId]);
      }
    };

    test('a /28 filled with named allocations; a split that would put one on a network or broadcast address is refused', async () => {
      await change(
        'AddNetwork',
        {
          name: 's1',
          cidr: '10.7.0.0/28',
          dataCenter: 'dc1',
          vlan: 70,
          tenant: 't1',
          zone: 'dc1.test',
          tag: { key: 'env', value: 'prod' },
        },
        { operation: 'AddNetwork', objectType: 'network' },
      );
      for (let i = 0; i < 13; i++)
        issued.push(await commission({ dataCenter: 'dc1', vlan: 70, serverInstance: `vm-s${i}` }));
      expect(issued.map((a) => a.address)).toEqual(Array.from({ length: 13 }, (_, i) => `10.7.0.${i + 2}`));
      const r = await refused('SplitNetwork', { network: 's1', prefixLength: 29 }, 'SPLIT_REFUSED', [
        { operation: 'SplitNetwork', objectType: 'network', objectId: 's1', outcome: 'SPLIT_REFUSED' },
      ]);
      expect(r.fault!.message).toMatch(/10\.7\.0\.[78]/);
      await refused('SplitNetwork', { network: 's1', prefixLength: 28 }, 'SPLIT_REFUSED', [
        { operation: 'SplitNetwork', objectType: 'network', outcome: 'SPLIT_REFUSED' },
      ]);
      await refused('SplitNetwork', { network: 'v6', prefixLength: 64 }, 'SPLIT_REFUSED', [
        { operation: 'SplitNetwork', objectType: 'network', outcome: 'SPLIT_REFUSED' },
      ]);
      await refused('SplitNetwork', { network: 's1', prefixLength: 29, name: ['only-one'] }, 'INVALID_REQUEST', [
        { operation: 'SplitNetwork', objectType: 'network', outcome: 'INVALID_REQUEST' },
      ]);
    });

    test('split: allocations move to the child that holds them, addresses and names kept, and still release by address and name', async () => {
      // .7 and .8 would become the first child's broadcast and the second's network address: release them.
      for (const gone of ['10.7.0.7', '10.7.0.8']) {
        const r = ok(await f.ipcd('DecommissionIP', { dataCenter: 'dc1', vlan: 70, address: gone }));
        expect(r.values.releasedCount).toBe('1');
        await watch.expect({ operation: 'DecommissionIP', objectType: 'allocation' });
        issued.splice(
          issued.findIndex((a) => a.address === gone),
          1,
        );
      }
      const r = await change(
        'SplitNetwork',
        { network: 's1', prefixLength: 29 },
        { operation: 'SplitNetwork', objectType: 'network' },
      );
      const kids = all(r.body, 'network').map((n) => ({ ...flat(n), tag: tags(n) }));
      expect(kids).toEqual([
        expect.objectContaining({
          name: 's1-1',
          cidr: '10.7.0.0/29',
          gateway: '10.7.0.1',
          tenant: 't1',
          zone: 'dc1.test',
          vlan: '70',
          tag: { env: 'prod' },
          used: '5',
          assignable: '5',
        }),
        expect.objectContaining({
          name: 's1-2',
          cidr: '10.7.0.8/29',
          tenant: 't1',
          zone: 'dc1.test',
          vlan: '70',
          tag: { env: 'prod' },
          used: '6',
          assignable: '6',
        }),
      ]);
      expect(kids[1]).not.toHaveProperty('gateway');
      const half = (address: string) => (Number(address.split('.')[3]) < 8 ? 's1-1' : 's1-2');
      await expectResolvable(half);

      // Release one by address and one by name from the second child: the same allocations come back.
      const [byAddress, byName] = issued.filter((a) => half(a.address) === 's1-2');
      const ra = ok(await f.ipcd('DecommissionIP', { dataCenter: 'dc1', vlan: 70, address: byAddress.address }));
      expect(flat(all(ra.body, 'released')[0])).toMatchObject({
        allocationId: byAddress.allocationId,
        network: 's1-2',
        address: byAddress.address,
        fqdn: byAddress.fqdn,
      });
      const rn = ok(await f.ipcd('DecommissionIP', { dataCenter: 'dc1', vlan: 70, name: byName.fqdn }));
      expect(flat(all(rn.body, 'released')[0])).toMatchObject({
        allocationId: byName.allocationId,
        network: 's1-2',
        address: byName.address,
      });
      await watch.expect([
        { operation: 'DecommissionIP', objectType: 'allocation', objectId: byAddress.allocationId },
        { operation: 'DecommissionIP', objectType: 'allocation', objectId: byName.allocationId },
      ]);
      issued.splice(issued.indexOf(byAddress), 1);
      issued.splice(issued.indexOf(byName), 1);
      // The released addresses are issued again, on the child that holds them.
      const again = await commission({ dataCenter: 'dc1', vlan: 70, serverInstance: 'vm-again' });
      expect([byAddress.address, byName.address]).toContain(again.address);
      issued.push(again);
    });

    test('merge refused for non-adjacent or differently tagged networks', async () => {
      await change(
        'AddNetwork',
        {
          name: 'm-far',
          cidr: '10.7.0.32/29',
          dataCenter: 'dc1',
          vlan: 70,
          tenant: 't1',
          zone: 'dc1.test',
          tag: { key: 'env', value: 'prod' },
        },
        { operation: 'AddNetwork', objectType: 'network' },
      );
      const far = await refused('MergeNetworks', { network: ['s1-2', 'm-far'] }, 'MERGE_REFUSED', [
        { operation: 'MergeNetworks', objectType: 'network', outcome: 'MERGE_REFUSED' },
      ]);
      expect(far.fault!.message).toMatch(/adjacent/);
      await change(
        'AddNetwork',
        {
          name: 'm-tag',
          cidr: '10.7.0.16/28',
          dataCenter: 'dc1',
          vlan: 70,
          tenant: 't1',
          zone: 'dc1.test',
          tag: { key: 'env', value: 'test' },
        },
        { operation: 'AddNetwork', objectType: 'network' },
      );
      const tagged = await refused('MergeNetworks', { network: ['s1-1', 's1-2', 'm-tag'] }, 'MERGE_REFUSED', [
        { operation: 'MergeNetworks', objectType: 'network', outcome: 'MERGE_REFUSED' },
      ]);
      expect(tagged.fault!.message).toMatch(/tags differ/);
      await refused('MergeNetworks', { network: 's1-1' }, 'INVALID_REQUEST', [
        { operation: 'MergeNetworks', objectType: 'network', outcome: 'INVALID_REQUEST' },
      ]);
    });

    test('merge: the children become the parent again, every allocation kept', async () => {
      const r = await change(
        'MergeNetworks',
        { network: ['s1-2', 's1-1'], name: 's1' },
        { operation: 'MergeNetworks', objectType: 'network' },
      );
      expect(flat(r.body.children[0])).toMatchObject({
        name: 's1',
        cidr: '10.7.0.0/28',
        gateway: '10.7.0.1',
        used: String(issued.length),
        assignable: '13',
      });
      await expectResolvable(() => 's1');
      expect(names(await read('SearchNetworks', { dataCenter: 'dc1', vlan: 70 }))).toEqual(['s1', 'm-far', 'm-tag']);
    });

    test('RemoveNetwork: refused while allocations are active unless forced, which releases them and says how many', async () => {
      const r = await refused('RemoveNetwork', { network: 's1' }, 'NETWORK_IN_USE', [
        { operation: 'RemoveNetwork', objectType: 'network', objectId: 's1', outcome: 'NETWORK_IN_USE' },
      ]);
      expect(r.fault!.message).toMatch(new RegExp(`${issued.length} active allocation`));
      const gone = await change(
        'RemoveNetwork',
        { network: 's1', force: true },
        { operation: 'RemoveNetwork', objectType: 'network' },
      );
      expect(gone.values).toEqual({ network: 's1', cidr: '10.7.0.0/28', releasedCount: String(issued.length) });
      const after = all(
        (await read('SearchAllocations', { serverInstance: issued[0].instance, includeReleased: true })).body,
        'allocation',
      ).map(flat);
      expect(after).toEqual([
        expect.objectContaining({ allocationId: issued[0].allocationId, releaseReason: 'NETWORK_REMOVED' }),
      ]);
      expect(after[0]).not.toHaveProperty('network');
      expect(all((await read('SearchAllocations', { serverInstance: issued[0].instance })).body, 'allocation')).toEqual(
        [],
      );
      const empty = await change(
        'RemoveNetwork',
        { network: 'm-far' },
        { operation: 'RemoveNetwork', objectType: 'network' },
      );
      expect(empty.values.releasedCount).toBe('0');
    });
  });

  test('SearchNetworks: each filter, and pages that add up to the whole', async () => {
    const search = async (q: Fields) => names(await read('SearchNetworks', q));
    expect(await search({ dataCenter: 'dc2' })).toEqual(['e1b']);
    expect(await search({ vlan: 100 })).toEqual(['n1', 'v6']);
    expect(await search({ tenant: 't1' })).toEqual(['n1', 'v6', 'm-tag']);
    expect(await search({ tagKey: 'env' })).toEqual(['n1', 'm-tag']);
    expect(await search({ tagKey: 'env', tagValue: 'production' })).toEqual(['n1']);
    expect(await search({ address: '10.0.0.77' })).toEqual(['n1']);
    expect(await search({ address: '2001:db8:100:ffff::1' })).toEqual(['v6']);
    expect(await search({ name: 'M-T' })).toEqual(['m-tag']);
    const whole = await search({});
    const paged: (string | undefined)[] = [];
    for (let after: string | undefined, pages = 0; ; pages++) {
      const r = await read('SearchNetworks', { pageSize: 2, after });
      paged.push(...names(r));
      after = r.values.nextPage;
      if (!after) break;
      expect(pages).toBeLessThan(10);
    }
    expect(paged).toEqual(whole);
    expect(faultOf(await f.admin('SearchNetworks', { after: 'bm90LWEtY3Vyc29y' }))).toBe('INVALID_REQUEST');
    expect(faultOf(await f.admin('SearchNetworks', { dataCenter: 'nowhere' }))).toBe('UNKNOWN_DATA_CENTER');
    await watch.expect([]);
  });

  test('SearchAllocations: filters, released ones on request, and paging', async () => {
    const a = await commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-q1', hostnameHint: 'alpha' });
    const b = await commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-q2', addressFamily: 'IPv6' });
    const ids = async (q: Fields) =>
      all((await read('SearchAllocations', q)).body, 'allocation').map((x) => text(x, 'allocationId'));
    expect(await ids({ serverInstance: 'vm-q1' })).toEqual([a.allocationId]);
    expect(await ids({ address: b.address })).toEqual([b.allocationId]);
    expect(await ids({ name: 'alpha' })).toEqual([a.allocationId]);
    expect(await ids({ network: 'v6' })).toEqual([b.allocationId]);
    expect(await ids({ tagKey: 'owner', tagValue: 'ops', serverInstance: 'vm-q1' })).toEqual([a.allocationId]);
    const t1 = await ids({ dataCenter: 'dc1', vlan: 100, tenant: 't1' });
    expect(t1).toEqual(expect.arrayContaining([a.allocationId, b.allocationId]));
    const full1 = flat(all((await read('SearchAllocations', { serverInstance: 'vm-q1' })).body, 'allocation')[0]);
    expect(full1).toMatchObject({
      network: 'n1',
      dataCenter: 'dc1',
      vlan: '100',
      tenant: 't1',
      intent: 'IPv4',
      address: a.address,
      fqdn: 'alpha.dc1.test',
    });
    ok(await f.ipcd('DecommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-q1', reason: 'MIGRATED' }));
    await watch.expect({ operation: 'DecommissionIP', objectType: 'allocation', objectId: a.allocationId });
    expect(await ids({ serverInstance: 'vm-q1' })).toEqual([]);
    const released = flat(
      all((await read('SearchAllocations', { serverInstance: 'vm-q1', includeReleased: true })).body, 'allocation')[0],
    );
    expect(released).toMatchObject({ allocationId: a.allocationId, address: a.address, releaseReason: 'MIGRATED' });
    expect(released.releasedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const all1 = await ids({ includeReleased: true, pageSize: 1000 });
    const paged: (string | undefined)[] = [];
    for (let after: string | undefined; ;) {
      const r = await read('SearchAllocations', { includeReleased: true, pageSize: 3, after });
      paged.push(...all(r.body, 'allocation').map((x) => text(x, 'allocationId')));
      after = r.values.nextPage;
      if (!after) break;
    }
    expect(paged).toEqual(all1);
    expect(new Set(paged).size).toBe(paged.length);
  });

  test('TenantUtilization adds up the tenant networks SearchNetworks shows, per address family', async () => {
    const r = await read('TenantUtilization');
    const rows = all(r.body, 'tenant').map(flat);
    const sum = async (tenant: string, family: string) => {
      const nets = all((await read('SearchNetworks', { tenant, pageSize: 1000 })).body, 'network')
        .map(flat)
        .filter((n) => n.family === family);
      const add = (k: string) => String(nets.reduce((s, n) => s + BigInt(n[k]), 0n));
      return {
        tenant,
        family,
        networks: String(nets.length),
        assignable: add('assignable'),
        used: add('used'),
        free: add('free'),
      };
    };
    // t2's only network (e1b) lost its tenant; t1 has IPv4 networks and the IPv6 /48, totalled apart.
    expect(rows.map((x) => [x.tenant, x.family])).toEqual([
      ['t1', 'IPv4'],
      ['t1', 'IPv6'],
    ]);
    const [v4, v6] = [await sum('t1', 'IPv4'), await sum('t1', 'IPv6')];
    expect(rows[0]).toMatchObject(v4);
    expect(rows[1]).toMatchObject(v6);
    expect(rows[0].percentUsed).toBe((Number((BigInt(v4.used) * 10000n) / BigInt(v4.assignable)) / 100).toFixed(2));
    // v6 is a /48: 2^80 addresses make a handful used 0.00 percent.
    expect(rows[1].percentUsed).toBe('0.00');
  });

  test('TenantUsage: rows per tenant and day, and the same as CSV', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const r = await read('TenantUsage', { from: today, to: tomorrow });
    const rows = all(r.body, 'usage').map(flat);
    const charged = all(
      (await read('SearchAllocations', { tenant: 't1', includeReleased: true, pageSize: 1000 })).body,
      'allocation',
    );
    expect(rows).toEqual([expect.objectContaining({ tenant: 't1', day: today, allocations: String(charged.length) })]);
    expect(Number(rows[0].addressHours)).toBeGreaterThan(0);
    expect(r.values.csv.split('\r\n')).toEqual([
      'tenant,day,allocations,address_hours',
      `t1,${today},${rows[0].allocations},${rows[0].addressHours}`,
      '',
    ]);
    expect(all((await read('TenantUsage', { tenant: 't2', from: today, to: tomorrow })).body, 'usage')).toEqual([]);
    expect(faultOf(await f.admin('TenantUsage', { from: tomorrow, to: today }))).toBe('INVALID_REQUEST');
    expect(faultOf(await f.admin('TenantUsage', { from: 'yesterday', to: today }))).toBe('INVALID_REQUEST');
    await watch.expect([]);
  });

  test('users: add, list, set password, disable, enable, remove; each change audited and effective at once', async () => {
    const pw = 'tenant-a-password-1';
    await change(
      'AddUser',
      { username: 'ta', password: pw, role: 'tenant', tenant: 't1' },
      { operation: 'AddUser', objectType: 'user', objectId: 'ta' },
    );
    await change(
      'AddUser',
      {
        username: 'orch',
        password: 'orchestrator-pw-1',
        role: 'orchestrator',
        grant: [{ dataCenter: 'dc1' }, { dataCenter: 'dc2', tenant: 't2' }],
        digest: true,
      },
      { operation: 'AddUser', objectType: 'user' },
    );
    await refused('AddUser', { username: 'tx', password: 'short', role: 'tenant', tenant: 't1' }, 'INVALID_REQUEST', [
      { operation: 'AddUser', objectType: 'user', outcome: 'INVALID_REQUEST' },
    ]);
    await refused('AddUser', { username: 'ta', password: 'another-password', role: 'admin' }, 'CONFLICT', [
      { operation: 'AddUser', objectType: 'user', outcome: 'CONFLICT' },
    ]);
    // node-soap trims element text: a password with white space around it is refused, not silently changed.
    const padded = await refused(
      'AddUser',
      { username: 'pad', password: ' padded-password-1 ', role: 'admin' },
      'INVALID_REQUEST',
    );
    expect(padded.fault!.message).toMatch(/white space/);
    const users = all((await read('ListUsers')).body, 'user').map((u) => ({
      ...flat(u),
      grant: all(u, 'grant').map(flat),
    }));
    expect(users).toEqual([
      {
        username: 'orch',
        role: 'orchestrator',
        disabled: 'false',
        grant: [{ dataCenter: 'dc1' }, { dataCenter: 'dc2', tenant: 't2' }],
      },
      { username: 'root', role: 'admin', disabled: 'false', grant: [] },
      { username: 'ta', role: 'tenant', tenant: 't1', disabled: 'false', grant: [] },
    ]);
    const ta: Credentials = { username: 'ta', password: pw };
    expect(names(await read('ListTenants', {}, ta), 'tenant')).toEqual(['t1']);

    await change(
      'SetPassword',
      { username: 'ta', password: 'tenant-a-password-2' },
      { operation: 'SetPassword', objectType: 'user', objectId: 'ta' },
    );
    expect(faultOf(await f.admin('ListTenants', {}, ta))).toBe('AUTHENTICATION_FAILED');
    const ta2 = { username: 'ta', password: 'tenant-a-password-2' };
    ok(await f.admin('ListTenants', {}, ta2));
    // A user may set its own password, and no one else's.
    ok(await f.admin('SetPassword', { username: 'ta', password: 'tenant-a-password-3' }, ta2));
    await watch.expect({ operation: 'SetPassword', objectType: 'user', objectId: 'ta', actor: 'ta' });
    const ta3 = { username: 'ta', password: 'tenant-a-password-3' };
    await refused(
      'SetPassword',
      { username: 'orch', password: 'stolen-password-1' },
      'ACCESS_DENIED',
      [{ operation: 'SetPassword', objectType: 'user', objectId: 'orch', outcome: 'ACCESS_DENIED', actor: 'ta' }],
      ta3,
    );

    await change('DisableUser', { username: 'ta' }, { operation: 'DisableUser', objectType: 'user', objectId: 'ta' });
    expect(faultOf(await f.admin('ListTenants', {}, ta3))).toBe('AUTHENTICATION_FAILED');
    expect(flat(all((await read('ListUsers')).body, 'user')[2])).toMatchObject({ username: 'ta', disabled: 'true' });
    await change('EnableUser', { username: 'ta' }, { operation: 'EnableUser', objectType: 'user', objectId: 'ta' });
    ok(await f.admin('ListTenants', {}, ta3));
    await refused('DisableUser', { username: 'root' }, 'INVALID_REQUEST', [
      { operation: 'DisableUser', objectType: 'user', outcome: 'INVALID_REQUEST' },
    ]);
    await change('RemoveUser', { username: 'ta' }, { operation: 'RemoveUser', objectType: 'user', objectId: 'ta' });
    expect(faultOf(await f.admin('ListTenants', {}, ta3))).toBe('AUTHENTICATION_FAILED');
    await refused('RemoveUser', { username: 'ta' }, 'NOT_FOUND', [
      { operation: 'RemoveUser', objectType: 'user', outcome: 'NOT_FOUND' },
    ]);
    expect(all((await read('ListUsers')).body, 'user').map((u) => text(u, 'username'))).toEqual(['orch', 'root']);
  });

  test('DNS publication: SetZoneDns, ListDnsZones, ClearZoneDns, each audited; the secret is write-only', async () => {
    const from = f.exchanges.length;
    const secret = Buffer.from('management-test-tsig-secret-0123').toString('base64');
    const orch: Credentials = { username: 'orch', password: 'orchestrator-pw-1' };
    const zones = async () => all((await read('ListDnsZones')).body, 'zone').map(flat);

    const fwd = await change(
      'SetZoneDns',
      { zone: 'dc1.test', server: '127.0.0.1:5399', keyName: 'ipcd-dc1', secret, ttl: 60 },
      { operation: 'SetZoneDns', objectType: 'zone', objectId: 'dc1.test' },
    );
    expect(flat(fwd.body.children[0])).toEqual({
      kind: 'forward',
      zone: 'dc1.test',
      server: '127.0.0.1:5399',
      keyName: 'ipcd-dc1',
      algorithm: 'hmac-sha256',
      ttl: '60',
      sealed: 'true',
    });
    // The key file tsig-keygen writes is accepted as the secret; it names the key and its algorithm.
    const keyFile = `key "rev-key" {\n\talgorithm hmac-sha512;\n\tsecret "${secret}";\n};`;
    const rev = await change(
      'SetZoneDns',
      { zone: '10.0.0.0/16', server: '[2001:db8::53]', secret: keyFile },
      { operation: 'SetZoneDns', objectType: 'reverse_zone', objectId: '10.0.0.0/16' },
    );
    expect(flat(rev.body.children[0])).toEqual({
      kind: 'reverse',
      zone: '0.10.in-addr.arpa',
      prefix: '10.0.0.0/16',
      server: '[2001:db8::53]:53',
      keyName: 'rev-key',
      algorithm: 'hmac-sha512',
      ttl: '300',
      sealed: 'true',
    });
    // Setting it again (a new key) changes it in place.
    await change(
      'SetZoneDns',
      { zone: 'dc1.test', server: '127.0.0.1:5399', keyName: 'ipcd-dc1b', algorithm: 'hmac-sha384', secret },
      { operation: 'SetZoneDns', objectType: 'zone' },
    );

    const listed = await zones();
    expect(listed.find((z) => z.zone === 'dc1.test')).toEqual({
      kind: 'forward',
      zone: 'dc1.test',
      server: '127.0.0.1:5399',
      keyName: 'ipcd-dc1b',
      algorithm: 'hmac-sha384',
      ttl: '300',
      sealed: 'true',
    });
    expect(listed.filter((z) => z.kind === 'reverse')).toEqual([flat(rev.body.children[0])]);
    expect(listed.filter((z) => z.kind === 'forward').map((z) => z.zone)).toEqual(
      names(await read('ListZones'), 'zone'),
    );

    await refused('SetZoneDns', { zone: 'nowhere.test', server: '127.0.0.1', keyName: 'k', secret }, 'NOT_FOUND', [
      { operation: 'SetZoneDns', objectType: 'zone', objectId: 'nowhere.test', outcome: 'NOT_FOUND' },
    ]);
    // Not an octet boundary: refused inside the audited change, so it leaves its refusal row.
    await refused('SetZoneDns', { zone: '10.0.0.0/12', server: '127.0.0.1', keyName: 'k', secret }, 'INVALID_REQUEST', [
      { operation: 'SetZoneDns', objectType: 'reverse_zone', outcome: 'INVALID_REQUEST' },
    ]);
    await refused(
      'SetZoneDns',
      { zone: 'dc1.test', server: '127.0.0.1', keyName: 'k', secret: 'dG9vLXNob3J0' },
      'INVALID_REQUEST',
      [{ operation: 'SetZoneDns', objectType: 'zone', outcome: 'INVALID_REQUEST' }],
    );
    await refused('SetZoneDns', { zone: 'dc1.test', server: '127.0.0.1', secret }, 'INVALID_REQUEST', [
      { operation: 'SetZoneDns', objectType: 'zone', outcome: 'INVALID_REQUEST' },
    ]); // a bare secret needs its key name
    await refused(
      'SetZoneDns',
      { zone: 'dc1.test', server: '127.0.0.1', keyName: 'k', secret },
      'ACCESS_DENIED',
      [{ operation: 'SetZoneDns', objectType: 'zone', outcome: 'ACCESS_DENIED', actor: 'orch' }],
      orch,
    );
    await refused(
      'ClearZoneDns',
      { zone: 'dc1.test' },
      'ACCESS_DENIED',
      [{ operation: 'ClearZoneDns', objectType: 'zone', outcome: 'ACCESS_DENIED', actor: 'orch' }],
      orch,
    );
    await refused('ListDnsZones', {}, 'ACCESS_DENIED', [], orch);
    expect(await zones()).toEqual(listed);

    const cleared = await change(
      'ClearZoneDns',
      { zone: 'dc1.test' },
      { operation: 'ClearZoneDns', objectType: 'zone', objectId: 'dc1.test' },
    );
    expect(flat(cleared.body.children[0])).toEqual({ kind: 'forward', zone: 'dc1.test' });
    await change(
      'ClearZoneDns',
      { zone: '10.0.0.0/16' },
      { operation: 'ClearZoneDns', objectType: 'reverse_zone', objectId: '10.0.0.0/16' },
    );
    await refused('ClearZoneDns', { zone: '10.0.0.0/16' }, 'NOT_FOUND', [
      { operation: 'ClearZoneDns', objectType: 'reverse_zone', outcome: 'NOT_FOUND' },
    ]);
    const after = await zones();
    expect(after.filter((z) => z.kind === 'reverse')).toEqual([]);
    expect(after.find((z) => z.zone === 'dc1.test')).toEqual({ kind: 'forward', zone: 'dc1.test' });

    // Write-only: in no answer, nor in the audit rows (QueryAudit shows their before/after).
    const audit = await read('QueryAudit', { operation: 'SetZoneDns', pageSize: 1000 });
    expect(all(audit.body, 'entry').length).toBeGreaterThanOrEqual(4);
    const answers = f.exchanges.slice(from).map((x) => x.received);
    expect(answers.filter((r) => r.includes(secret))).toEqual([]);
    if (full)
      expect(
        (
          await f.sql!.query(
            `SELECT count(*)::int AS n FROM audit_log WHERE coalesce(before::text, '') || coalesce(after::text, '') LIKE $1`,
            [`%${secret}%`],
          )
        ).rows,
      ).toEqual([{ n: 0 }]);
  });

  test('QueryAudit: filters and pages over what the tests above did', async () => {
    const edits = await queryAuditAll(f, { operation: 'EditNetwork' });
    expect(edits.map((e) => e.outcome)).toEqual(['ok', 'ok', 'INVALID_REQUEST', 'INVALID_REQUEST', 'NOT_FOUND']);
    const byUser = await queryAuditAll(f, { user: 'ta' });
    expect(byUser.map((e) => e.operation)).toEqual(['SetPassword', 'SetPassword']);
    const users = await queryAuditAll(f, { objectType: 'user', objectId: 'ta' });
    expect(users.map((e) => `${e.operation} ${e.outcome}`)).toEqual([
      'AddUser ok',
      'AddUser CONFLICT',
      'SetPassword ok',
      'SetPassword ok',
      'DisableUser ok',
      'EnableUser ok',
      'RemoveUser ok',
      'RemoveUser NOT_FOUND',
    ]);
    const vm = await queryAuditAll(f, { serverInstance: 'vm-q1' });
    expect(vm.map((e) => e.operation)).toEqual(['CommissionIP', 'DecommissionIP']);
    const entry = flat(
      all((await read('QueryAudit', { operation: 'DecommissionIP', serverInstance: 'vm-q1' })).body, 'entry')[0],
    );
    expect(entry).toMatchObject({
      user: 'root',
      role: 'admin',
      dataCenter: 'dc1',
      tenant: 't1',
      serverInstance: 'vm-q1',
      outcome: 'ok',
    });
    expect(JSON.parse(entry.after)).toMatchObject({ reason: 'MIGRATED' });
    expect(entry.requestId).toBeTruthy();

    const everything = await queryAuditAll(f, {});
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await queryAuditAll(f, { since: future })).toEqual([]);
    expect(await queryAuditAll(f, { until: future })).toEqual(everything);
    const paged: string[] = [];
    for (let after: string | undefined; ;) {
      const r = await read('QueryAudit', { pageSize: 7, after });
      paged.push(...all(r.body, 'entry').map((x) => text(x, 'id') ?? ''));
      after = r.values.nextPage;
      if (!after) break;
    }
    expect(paged).toEqual(everything.map((e) => e.id));
    const newest: string[] = [];
    for (let after: string | undefined; ;) {
      const r = await read('QueryAudit', { pageSize: 7, after, newestFirst: true });
      newest.push(...all(r.body, 'entry').map((x) => text(x, 'id') ?? ''));
      after = r.values.nextPage;
      if (!after) break;
    }
    expect(newest).toEqual([...paged].reverse());
    if (full) {
      // The log as the database holds it is what QueryAudit answered.
      const rows = (await f.sql!.query('SELECT id::text FROM audit_log ORDER BY audit_log.id')).rows.map((x) => x.id);
      expect(paged).toEqual(rows);
    }
    expect(faultOf(await f.admin('QueryAudit', { since: 'last tuesday' }))).toBe('INVALID_REQUEST');
  });

  test('containers: AddContainer, AllocateNetwork (and its retry), ListContainers, RemoveContainer; test/admin/containers.test.ts has the rest', async () => {
    await change(
      'AddContainer',
      { name: 'mc', cidr: '172.20.0.0/16', dataCenter: 'dc1' },
      { operation: 'AddContainer', objectType: 'container', objectId: 'mc' },
    );
    const fields = { container: 'mc', prefixLength: 24, name: 'mc-1', vlan: 720, idempotencyKey: 'management-1' };
    const a = await change('AllocateNetwork', fields, {
      operation: 'AllocateNetwork',
      objectType: 'network',
      objectId: 'mc-1',
    });
    expect([a.values.container, a.values.existing, text(all(a.body, 'network')[0], 'cidr')]).toEqual([
      'mc',
      'false',
      '172.20.0.0/24',
    ]);
    expect((await change('AllocateNetwork', fields, [])).values.existing).toBe('true');
    const [c] = all((await read('ListContainers', { dataCenter: 'dc1' })).body, 'container').map(flat);
    expect(c).toMatchObject({ name: 'mc', size: '65536', used: '256', percentUsed: '0.39' });
    await change('RemoveNetwork', { network: 'mc-1' }, { operation: 'RemoveNetwork', objectType: 'network' });
    await change(
      'RemoveContainer',
      { name: 'mc' },
      { operation: 'RemoveContainer', objectType: 'container', objectId: 'mc' },
    );
  });

  if (full) {
    test('every request, response and fault detail above validates against the schema in wsdl/ipcd-admin.wsdl (xmllint)', async () => {
      const r = await validateExchanges(f.exchanges);
      // Every operation of the contract is among them, answered and refused.
      expect(new Set(r.checked.filter((x) => x.status === 200).map((x) => x.operation))).toEqual(
        new Set(MANAGEMENT.operations),
      );
      expect(r.failures).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.validated).toBe(r.files.length);
    });
  }

  test('the WSDL is served at /ipcd-admin?wsdl with the address it was fetched from', async () => {
    const res = await fetch(`${f.adminUrl}?wsdl`);
    const wsdl = await res.text();
    expect(res.status).toBe(200);
    expect(wsdl).toContain('targetNamespace="http://ipcd.example.org/ns/management/v1"');
    expect(wsdl).toContain(`<soap:address location="${f.adminUrl}"/>`);
    expect(ROOT_USER.username).toBe('root');
  });
});
