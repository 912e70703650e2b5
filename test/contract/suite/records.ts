/** The audit, access and alerts ports' contract: rows kept as written, filters, scope, paging, leases. */
import type { ContractBackend, OpenBackend, Ports } from './backend';

export function recordsContract(backend: string, open: OpenBackend): void {
  describe(`audit, access and alerts port contract (${backend})`, () => {
    let b: ContractBackend;
    let dc: number;
    let tenant: number;
    const tx = <T>(fn: (t: Ports) => Promise<T>) => b.transaction(fn);

    beforeAll(async () => {
      b = await open();
      await tx(async (t) => {
        dc = (await t.topology.insertDataCenter('dc1', null)).id;
        tenant = (await t.topology.insertTenant('ta', null)).id;
      });
    });
    afterAll(() => b?.dispose());

    test('audit rows come back in order, filtered, scoped and paged', async () => {
      const row = (i: number, extra: object = {}) => ({
        actor: `u${i % 2}`,
        role: 'admin',
        operation: i < 3 ? 'AddNetwork' : 'EditNetwork',
        objectType: 'network',
        objectId: `n${i}`,
        outcome: 'ok',
        after: { i },
        ...extra,
      });
      await tx(async (t) => {
        for (let i = 0; i < 5; i++)
          await t.audit.appendAudit(
            row(i, i === 4 ? { dataCenterId: dc, tenantId: tenant, before: { was: [1, 'x'] } } : {}),
          );
      });
      const all = await tx((t) => t.audit.listAudit({ limit: 100 }));
      expect(all.map((r) => r.objectId)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
      expect(all[4]).toMatchObject({
        actor: 'u0',
        before: { was: [1, 'x'] },
        after: { i: 4 },
        dataCenterId: dc,
        tenantId: tenant,
        serverInstance: null,
        requestId: null,
      });
      expect(all[0].before).toBeNull();
      expect(all[0].at).toBeInstanceOf(Date);
      expect((await tx((t) => t.audit.listAudit({ actor: 'u1', limit: 100 }))).map((r) => r.objectId)).toEqual([
        'n1',
        'n3',
      ]);
      expect(
        (await tx((t) => t.audit.listAudit({ operation: 'EditNetwork', limit: 100 }))).map((r) => r.objectId),
      ).toEqual(['n3', 'n4']);
      expect((await tx((t) => t.audit.listAudit({ newestFirst: true, limit: 2 }))).map((r) => r.objectId)).toEqual([
        'n4',
        'n3',
      ]);
      expect(
        (await tx((t) => t.audit.listAudit({ newestFirst: true, afterId: all[3].id, limit: 2 }))).map(
          (r) => r.objectId,
        ),
      ).toEqual(['n2', 'n1']);
      expect((await tx((t) => t.audit.listAudit({ afterId: all[3].id, limit: 10 }))).map((r) => r.objectId)).toEqual([
        'n4',
      ]);
      expect(
        (await tx((t) => t.audit.listAudit({ scope: [{ dataCenterId: null, tenantId: tenant }], limit: 10 }))).map(
          (r) => r.objectId,
        ),
      ).toEqual(['n4']);
      expect(await tx((t) => t.audit.listAudit({ scope: [], limit: 10 }))).toEqual([]);
      expect((await tx((t) => t.audit.listAudit({ since: all[0].at, limit: 10 }))).length).toBe(5);
    });

    test('an audit row written in a failed transaction is not kept', async () => {
      await expect(
        tx(async (t) => {
          await t.audit.appendAudit({
            actor: 'x',
            role: 'admin',
            operation: 'Lost',
            objectType: 'network',
            outcome: 'ok',
          });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await tx((t) => t.audit.listAudit({ operation: 'Lost', limit: 10 }))).toEqual([]);
    });

    test('accounts with their grants; listed by name; changed and removed', async () => {
      expect(await tx((t) => t.access.anyUser())).toBe(false);
      const before = await b.allocator.configVersion();
      const orch = await tx((t) =>
        t.access.insertUser(
          { username: 'orch', role: 'orchestrator', tenantId: null, passwordHash: 'h1', sealedPassword: null },
          [
            { dataCenterId: dc, tenantId: null },
            { dataCenterId: null, tenantId: tenant },
          ],
        ),
      );
      expect(orch).toMatchObject({
        username: 'orch',
        role: 'orchestrator',
        disabled: false,
        grants: [
          { dataCenterId: dc, tenantId: null },
          { dataCenterId: null, tenantId: tenant },
        ],
      });
      expect(await b.allocator.configVersion()).toBeGreaterThan(before);
      expect((await b.allocator.loadSnapshot()).users).toEqual([orch]);
      await tx((t) =>
        t.access.insertUser(
          { username: 'admin', role: 'admin', tenantId: null, passwordHash: 'h2', sealedPassword: 's' },
          [],
        ),
      );
      expect((await tx((t) => t.access.listUsers())).map((u) => u.username)).toEqual(['admin', 'orch']);
      await tx((t) => t.access.updateUser(orch.id, { disabled: true, passwordHash: 'h3' }));
      expect(await tx((t) => t.access.userByName('orch'))).toMatchObject({
        disabled: true,
        passwordHash: 'h3',
        sealedPassword: null,
      });
      await tx((t) => t.access.insertSession('tok', orch.id, 'csrf', new Date('2030-01-01T00:00:00Z')));
      await tx((t) => t.access.deleteUser(orch.id));
      expect(await tx((t) => t.access.userByName('orch'))).toBeNull();
      expect(await tx((t) => t.access.sessionByTokenHash('tok'))).toBeNull();
      expect(await tx((t) => t.access.anyUser())).toBe(true);
    });

    test('nonces once; failed logins counted per key and cleared; sessions touched and expired', async () => {
      const old = new Date(Date.now() - 3600_000);
      expect(await tx((t) => t.access.recordNonce('n1', old))).toBe(true);
      expect(await tx((t) => t.access.recordNonce('n1', old))).toBe(false);
      expect(await tx((t) => t.access.recordNonce('n1', new Date(Date.now() + 60_000)))).toBe(true);
      const t0 = new Date('2030-01-01T00:00:00Z');
      const at = (s: number) => new Date(t0.getTime() + s * 1000);
      await tx(async (t) => {
        await t.access.recordAuthFailure('k', at(0), at(-100));
        await t.access.recordAuthFailure('k', at(10), at(-100));
        await t.access.recordAuthFailure('other', at(10), at(-100));
      });
      expect(await tx((t) => t.access.authFailures('k', at(5)))).toBe(1);
      expect(await tx((t) => t.access.authFailures('k', at(-5)))).toBe(2);
      await tx((t) => t.access.clearAuthFailures('k'));
      expect(await tx((t) => t.access.authFailures('k', at(-5)))).toBe(0);
      expect(await tx((t) => t.access.authFailures('other', at(-5)))).toBe(1);

      const admin = (await tx((t) => t.access.userByName('admin')))!;
      await tx((t) => t.access.insertSession('s1', admin.id, 'c1', at(0)));
      await tx((t) => t.access.insertSession('s2', admin.id, 'c2', at(0)));
      await tx((t) => t.access.touchSession('s1', at(100)));
      await tx((t) => t.access.touchSession('s1', at(50)));
      expect(await tx((t) => t.access.sessionByTokenHash('s1'))).toMatchObject({
        user: { username: 'admin' },
        csrfToken: 'c1',
        createdAt: at(0),
        lastSeenAt: at(100),
      });
      expect(await tx((t) => t.access.deleteIdleSessions(at(60)))).toBe(1);
      expect(await tx((t) => t.access.sessionByTokenHash('s2'))).toBeNull();
      await tx((t) => t.access.deleteSession('s1'));
      expect(await tx((t) => t.access.sessionByTokenHash('s1'))).toBeNull();
    });

    test('alerts: threshold kept (a configuration change), state per network, events delivered with leases', async () => {
      const net = await tx(async (t) => {
        const n = await t.topology.insertNetwork(
          {
            name: 'fill',
            cidr: '10.7.0.0/29',
            family: 4,
            dataCenterId: dc,
            vlan: 7,
            vxlan: null,
            tenantId: null,
            priority: 100,
            zoneId: null,
            gateway: '10.7.0.1',
            reservePool: false,
            namePattern: 'vm-{seq}',
            tags: {},
            holdDownSeconds: 0,
          },
          [{ first: 0x0a070002n, last: 0x0a070006n }],
        );
        return n;
      });
      const before = await b.allocator.configVersion();
      await tx((t) => t.alerts.setAlertThreshold(net.id, 60));
      expect(await b.allocator.configVersion()).toBeGreaterThan(before);
      expect(await tx((t) => t.alerts.alertThreshold(net.id))).toBe(60);
      expect(await tx((t) => t.alerts.networkFills(net.id))).toEqual([
        {
          networkId: net.id,
          network: 'fill',
          dataCenter: 'dc1',
          dataCenterId: dc,
          tenantId: null,
          cidr: '10.7.0.0/29',
          gateway: '10.7.0.1',
          used: 0n,
          freeCount: 5n,
          freeRanges: [],
          thresholdPercent: 60,
          alertState: 'normal',
        },
      ]);
      expect(await tx((t) => t.alerts.lockAlertState(net.id))).toBe('normal');
      expect(await tx((t) => t.alerts.lockAlertState(net.id + 1000))).toBeNull();
      await tx(async (t) => {
        await t.alerts.lockAlertState(net.id);
        await t.alerts.setAlertState(net.id, 'high', 80);
      });
      expect(await tx((t) => t.alerts.lockAlertState(net.id))).toBe('high');
      const e = await tx((t) =>
        t.alerts.insertAlertEvent({
          networkId: net.id,
          network: 'fill',
          dataCenter: 'dc1',
          direction: 'up',
          percent: 80,
          thresholdPercent: 60,
          used: 4n,
          assignable: 5n,
          webhook: 'pending',
        }),
      );
      expect(e).toMatchObject({
        networkId: net.id,
        direction: 'up',
        percent: 80,
        used: 4n,
        assignable: 5n,
        attempts: 0,
      });
      await tx((t) =>
        t.alerts.insertAlertEvent({
          networkId: net.id,
          network: 'fill',
          dataCenter: 'dc1',
          direction: 'down',
          percent: 10,
          thresholdPercent: 60,
          used: 1n,
          assignable: 5n,
          webhook: 'none',
        }),
      );
      const claimed = await tx((t) => t.alerts.claimAlertDelivery(60));
      expect(claimed).toMatchObject({ id: e.id, attempts: 1 });
      // Leased: nobody else gets it meanwhile; the event without a webhook is never claimed.
      expect(await tx((t) => t.alerts.claimAlertDelivery(60))).toBeNull();
      await tx((t) => t.alerts.finishAlertDelivery(e.id, { delivered: false, error: 'boom', retryInMs: 0 }));
      expect(await tx((t) => t.alerts.claimAlertDelivery(60))).toMatchObject({ id: e.id, attempts: 2 });
      await tx((t) => t.alerts.finishAlertDelivery(e.id, { delivered: true }));
      expect(await tx((t) => t.alerts.claimAlertDelivery(60))).toBeNull();
      await tx((t) => t.alerts.setAlertThreshold(net.id, null));
      expect(await tx((t) => t.alerts.alertThreshold(net.id))).toBeNull();
    });
  });
}
