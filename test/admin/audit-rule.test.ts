/**
 * One audit rule for every operation of both services (README, "The audit log"): a change asked
 * for by an authenticated caller leaves exactly one row — `ok`, or the fault code of its refusal,
 * whatever refused it (its arguments, the policy, the state); a read leaves none; a request
 * refused before the caller is known (wrong password) leaves none. Operations not listed as reads
 * here are changes, so a new operation must be classified by its test.
 */
import { COMMISSIONING, MANAGEMENT } from '../../src/api/contract';
import { AuditWatch, faultOf, ok, openAdminFixture, ROOT_USER, type AdminFixture } from '../support/admin';
import { BACKENDS } from '../support/backends';
import type { Credentials, Fields, SoapReply } from '../support/soap';

jest.setTimeout(120_000);

const READS = new Set([
  'ListAllocations',
  'ListDataCenters',
  'ListTenants',
  'ListZones',
  'ListDnsZones',
  'ListReservations',
  'SearchNetworks',
  'SearchAllocations',
  'TenantUtilization',
  'QueryAudit',
  'TenantUsage',
  'ListUsers',
]);

const OPERATIONS = [
  ...COMMISSIONING.operations.map((op) => ({ op, admin: false })),
  ...MANAGEMENT.operations.map((op) => ({ op, admin: true })),
];

describe.each(BACKENDS)('the audit rule on %s', (kind) => {
  let f: AdminFixture;
  let watch: AuditWatch;
  const tenant: Credentials = { username: 'acme-ro', password: 'tenant-password-1' };

  beforeAll(async () => {
    f = await openAdminFixture(kind);
    ok(await f.admin('AddDataCenter', { name: 'dc1' }));
    ok(await f.admin('AddTenant', { name: 'acme' }));
    ok(await f.admin('AddNetwork', { name: 'n1', cidr: '10.0.0.0/24', dataCenter: 'dc1', vlan: 100, tenant: 'acme' }));
    await f.addUser({ ...tenant, role: 'tenant', tenant: 'acme' });
    watch = new AuditWatch(f);
    await watch.mark();
  });
  afterAll(() => f?.close());

  const send = (admin: boolean, op: string, fields: Fields, as: Credentials | null): Promise<SoapReply> =>
    admin ? f.admin(op, fields, as) : f.ipcd(op, fields, as);

  test.each(OPERATIONS)(
    '$op: malformed arguments leave a refusal row for a change, none for a read',
    async ({ op, admin }) => {
      for (const as of [ROOT_USER, tenant]) {
        expect(faultOf(await send(admin, op, { noSuchElement: 'x' }, as))).toBe('INVALID_REQUEST');
        await watch.expect(
          READS.has(op)
            ? []
            : [{ operation: op, objectType: expect.any(String), outcome: 'INVALID_REQUEST', actor: as.username }],
        );
      }
      expect(
        faultOf(await send(admin, op, { noSuchElement: 'x' }, { username: 'root', password: 'wrong-password-1' })),
      ).toBe('AUTHENTICATION_FAILED');
      await watch.expect([]);
    },
  );

  test('refusals by the logic are rows too: an invalid CIDR, an invalid user, an unknown VLAN, an unknown address', async () => {
    const refusals: [boolean, string, Fields, string, string][] = [
      [true, 'AddNetwork', { name: 'x', cidr: '10.0.0.0/33', dataCenter: 'dc1' }, 'INVALID_REQUEST', 'network'],
      [true, 'AddNetwork', { name: 'x', cidr: 'not-a-prefix', dataCenter: 'dc1' }, 'INVALID_REQUEST', 'network'],
      [
        true,
        'AddUser',
        { username: 'bad name', password: 'a-good-password-1', role: 'admin' },
        'INVALID_REQUEST',
        'user',
      ],
      [false, 'CommissionIP', { dataCenter: 'dc1', vlan: 999, serverInstance: 'vm-1' }, 'UNKNOWN_VLAN', 'allocation'],
      [false, 'DecommissionIP', { dataCenter: 'dc1', vlan: 100, address: '10.0.0.77' }, 'NOT_FOUND', 'allocation'],
      [
        false,
        'DecommissionIP',
        { dataCenter: 'dc1', vlan: 100, address: 'not-an-address' },
        'INVALID_REQUEST',
        'allocation',
      ],
    ];
    for (const [admin, op, fields, code, objectType] of refusals) {
      expect([op, faultOf(await send(admin, op, fields, ROOT_USER))]).toEqual([op, code]);
      await watch.expect([{ operation: op, objectType, outcome: code }]);
    }
    // A tenant's attempt at a change: refused by the policy, and recorded.
    expect(faultOf(await f.admin('AddNetwork', { name: 'y', cidr: '10.1.0.0/24', dataCenter: 'dc1' }, tenant))).toBe(
      'ACCESS_DENIED',
    );
    await watch.expect([
      { operation: 'AddNetwork', objectType: 'network', outcome: 'ACCESS_DENIED', actor: tenant.username },
    ]);
  });
});
