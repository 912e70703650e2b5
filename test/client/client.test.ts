/**
 * IpcdClient against the real server (Express + node-soap over each backend), and through a small
 * local HTTP proxy that loses replies, stalls, or answers BUSY/503 for the first requests: the
 * retries must be the safe ones, and a retried commission must leave exactly one allocation.
 */
import { loadExampleTopology } from '../../src/example/topology';
import {
  IpcdClient,
  IpcdFaultError,
  IpcdTransportError,
  type IpcdClientOptions,
  type RetryInfo,
} from '../../src/index';
import { parseXml, SOAP11_NS, WSSE_NS, WSU_NS, type XmlNode } from '../../src/client/soap';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { freePort } from '../support/processes';
import { firstThen, FORWARD, startProxy, type Behaviour, type Proxy } from '../support/proxy';
import { startServer, type RunningServer } from '../support/server';

const fault = (code: string, message: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><soap:Fault>` +
  `<faultcode>soap:Server</faultcode><faultstring>${message}</faultstring><detail>` +
  `<ipcd:IpcdFault xmlns:ipcd="http://ipcd.example.org/ns/commissioning/v1"><ipcd:code>${code}</ipcd:code><ipcd:message>${message}</ipcd:message></ipcd:IpcdFault>` +
  `</detail></soap:Fault></soap:Body></soap:Envelope>`;

const child = (n: XmlNode | undefined, uri: string, name: string) =>
  n?.children.find((c) => c.uri === uri && c.name === name);

describe.each(BACKENDS)('IpcdClient (%s store)', (backend) => {
  let db: TestStore;
  let server: RunningServer;
  let client: IpcdClient;
  const proxies: Proxy[] = [];
  const proxy = async (behave: (n: number) => Behaviour) => {
    const p = await startProxy(server.url, behave);
    proxies.push(p);
    return p;
  };
  /** A client with fast retries, recording them. */
  const clientVia = (url: string, o: Partial<IpcdClientOptions> = {}) => {
    const retries: RetryInfo[] = [];
    const c = new IpcdClient({ url, retryDelayMs: 20, timeoutMs: 5000, onRetry: (r) => retries.push(r), ...o });
    return { c, retries };
  };
  const rows = async (instance: string) =>
    (await db.store.dataSource.query(
      `SELECT id, host(address) AS address, released_at FROM allocation WHERE server_instance = $1`,
      [instance],
    )) as {
      id: string;
      address: string | null;
      released_at: Date | null;
    }[];

  beforeAll(async () => {
    db = await openTestStore(backend);
    await loadExampleTopology(db.store);
    server = await startServer(db.store);
    client = new IpcdClient({ url: server.url });
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await server?.close();
    await db?.dispose();
  });

  test('lifecycle: commission, repeat, name only, list, decommission, with typed results', async () => {
    const first = await client.commission({
      dataCenter: 'dc1',
      vlan: 100,
      serverInstance: 'life-1',
      wantName: true,
      hostnameHint: 'web1',
    });
    expect(first).toEqual({
      allocationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      network: 'dc1-v100-a',
      dataCenter: 'dc1',
      vlan: 100,
      source: 'VLAN',
      address: expect.stringMatching(/^10\.0\.0\.\d+$/),
      prefixLength: 24,
      gateway: '10.0.0.1',
      name: 'web1',
      zone: 'dc1.example.com',
      fqdn: 'web1.dc1.example.com',
      existing: false,
    });
    const again = await client.commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'life-1', wantName: true });
    expect(again).toEqual({ ...first, existing: true });

    const v6 = await client.commission({
      dataCenter: 'dc1',
      vlan: 100,
      serverInstance: 'life-1',
      addressFamily: 'IPv6',
    });
    expect(v6).toMatchObject({ network: 'dc1-v100-v6', prefixLength: 64, existing: false });
    expect(v6.address).toMatch(/^2001:db8:100::/);
    expect(v6).not.toHaveProperty('name');

    const named = await client.nameOnly({ vlan: 200, serverInstance: 'life-1' });
    expect(named).toEqual({
      allocationId: expect.any(String),
      network: 'dc1-acme-alt',
      dataCenter: 'dc1',
      name: expect.any(String),
      zone: 'dc1.example.com',
      fqdn: `${named.name}.dc1.example.com`,
      existing: false,
    });
    expect((await client.nameOnly({ vlan: 200, serverInstance: 'life-1' })).existing).toBe(true);

    const page = await client.listAllocations({ serverInstance: 'life-1' });
    expect(page.nextPage).toBeUndefined();
    expect(page.allocations.map((a) => `${a.dataCenter}/${a.vlan}/${a.intent}`).sort()).toEqual([
      'dc1/100/IPv4',
      'dc1/100/IPv6',
      'dc1/200/NAME',
    ]);
    const v4 = page.allocations.find((a) => a.intent === 'IPv4')!;
    expect(v4).toEqual({
      allocationId: first.allocationId,
      dataCenter: 'dc1',
      vlan: 100,
      network: 'dc1-v100-a',
      serverInstance: 'life-1',
      intent: 'IPv4',
      address: first.address,
      fqdn: first.fqdn,
      createdAt: expect.any(Date),
      dns: { state: 'NOT_CONFIGURED', detail: expect.stringMatching(/no DNS server/) },
    });
    expect(Math.abs(v4.createdAt.getTime() - Date.now())).toBeLessThan(600_000);

    const released = await client.decommission({
      dataCenter: 'dc1',
      vlan: 100,
      serverInstance: 'life-1',
      reason: 'MIGRATED',
    });
    expect(released.releasedCount).toBe(2);
    expect(released.released.map((r) => r.allocationId).sort()).toEqual([first.allocationId, v6.allocationId].sort());
    expect(released.released.find((r) => r.allocationId === first.allocationId)).toEqual({
      allocationId: first.allocationId,
      network: 'dc1-v100-a',
      serverInstance: 'life-1',
      address: first.address,
      fqdn: 'web1.dc1.example.com',
    });
    expect(await client.decommission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'life-1' })).toEqual({
      releasedCount: 0,
      released: [],
    });
    expect(await client.decommission({ vlan: 200, name: named.fqdn, releaseName: true })).toMatchObject({
      releasedCount: 1,
    });
    expect((await client.listAllocations({ serverInstance: 'life-1' })).allocations).toEqual([]);
  });

  test('a refusal is an IpcdFaultError with the contract code, and is not retried', async () => {
    const p = await proxy(() => FORWARD);
    const { c, retries } = clientVia(p.url);
    const e = await c.commission({ vlan: 999, serverInstance: 'x' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpcdFaultError);
    expect(e).toMatchObject({
      name: 'IpcdFaultError',
      code: 'UNKNOWN_VLAN',
      faultcode: 'soap:Client',
      operation: 'CommissionIP',
      attempts: 1,
    });
    expect((e as Error).message).toMatch(/VLAN 999 is not tagged/);
    await expect(c.commission({ vlan: 100, serverInstance: 'x' })).rejects.toMatchObject({ code: 'AMBIGUOUS_VLAN' });
    await expect(c.decommission({ dataCenter: 'dc1', vlan: 100, address: '10.0.0.250' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(c.listAllocations({ after: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      faultcode: 'soap:Client',
    });
    expect(p.requests).toHaveLength(4);
    expect(retries).toEqual([]);
  });

  test('values are escaped on the way out and read back exactly', async () => {
    const instance = 'vm <&> "quoted" \'single\' ]]> \r\n tab\t ünï € 𝄞 end';
    const a = await client.commission({ dataCenter: 'dc2', vlan: 100, serverInstance: instance });
    const [listed] = (await client.listAllocations({ serverInstance: instance })).allocations;
    expect(listed).toMatchObject({ allocationId: a.allocationId, serverInstance: instance });
    expect((await rows(instance)).map((r) => r.id)).toEqual([a.allocationId]);
    // A character XML cannot carry is refused before anything is sent.
    const p = await proxy(() => FORWARD);
    await expect(clientVia(p.url).c.commission({ vlan: 100, serverInstance: 'bad\u0001id' })).rejects.toThrow(
      RangeError,
    );
    expect(p.requests).toHaveLength(0);
  });

  test('a reply lost after the server committed: the retry gets the same allocation, one in the database', async () => {
    const p = await proxy(firstThen(1, { kind: 'drop' }));
    const { c, retries } = clientVia(p.url);
    const r = await c.commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'lost-reply', wantName: true });
    expect(p.requests).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ operation: 'CommissionIP', attempt: 1, maxAttempts: 3 });
    expect(retries[0].error).toBeInstanceOf(IpcdTransportError);
    expect(retries[0].error).toMatchObject({ kind: 'network' });
    // The first attempt created it; the retry found it.
    expect(r.existing).toBe(true);
    const db1 = await rows('lost-reply');
    expect(db1).toHaveLength(1);
    expect(db1[0]).toMatchObject({ id: r.allocationId, address: r.address, released_at: null });
    // Both attempts carried the same request id, so the server's log lines correlate.
    expect(p.requests[0].headers['x-request-id']).toBeDefined();
    expect(p.requests[1].headers['x-request-id']).toBe(p.requests[0].headers['x-request-id']);
  });

  test('commissionBatch: typed results per item in order; a lost reply is retried and gets the same allocations', async () => {
    const p = await proxy(firstThen(1, { kind: 'drop' }));
    const { c, retries } = clientVia(p.url);
    const items = [
      { dataCenter: 'dc1', vlan: 100, serverInstance: 'batch-1', wantName: true },
      { dataCenter: 'dc1', vlan: 4095, serverInstance: 'batch-bad' },
      { dataCenter: 'dc1', vlan: 100, serverInstance: 'batch-2' },
    ];
    const r = await c.commissionBatch(items);
    expect(retries.map((x) => x.operation)).toEqual(['CommissionIPBatch']);
    expect(r).toMatchObject({ succeeded: 2, failed: 1 });
    expect(r.failedItem).toBeUndefined();
    expect(r.results.map((x) => x.item)).toEqual([1, 2, 3]);
    expect(r.results[1]).toEqual({
      item: 2,
      fault: { code: 'INVALID_REQUEST', message: expect.stringMatching(/vlan/) },
    });
    const [one, , two] = r.results.map((x) => ('ok' in x ? x.ok : undefined));
    // The first attempt created them; the retry found them.
    expect(one).toMatchObject({
      network: 'dc1-v100-a',
      prefixLength: 24,
      existing: true,
      fqdn: expect.stringMatching(/\.dc1\.example\.com$/),
    });
    expect(two).toMatchObject({ existing: true });
    expect(await rows('batch-1')).toEqual([{ id: one!.allocationId, address: one!.address, released_at: null }]);
    const atomic = await client.commissionBatch(
      [
        { vlan: 100, dataCenter: 'dc1', serverInstance: 'batch-3' },
        { vlan: 999, dataCenter: 'dc1', serverInstance: 'batch-4' },
      ],
      { atomic: true },
    );
    expect(atomic).toMatchObject({ succeeded: 0, failed: 2, failedItem: 2 });
    expect(atomic.results.map((x) => ('fault' in x ? x.fault.code : 'ok'))).toEqual(['BATCH_ABORTED', 'UNKNOWN_VLAN']);
    expect(await rows('batch-3')).toEqual([]);
    const gone = await client.decommissionBatch([
      { dataCenter: 'dc1', vlan: 100, serverInstance: 'batch-1' },
      { dataCenter: 'dc1', vlan: 100, allocationId: two!.allocationId },
    ]);
    expect(gone.results.map((x) => ('ok' in x ? x.ok.releasedCount : x.fault.code))).toEqual([1, 1]);
    expect(gone.results[1]).toMatchObject({
      ok: { released: [{ allocationId: two!.allocationId, address: two!.address, serverInstance: 'batch-2' }] },
    });
  });

  test('a reply slower than timeoutMs: the retry gets the same allocation, one in the database', async () => {
    const p = await proxy(firstThen(1, { kind: 'delay', ms: 1500 }));
    const { c, retries } = clientVia(p.url, { timeoutMs: 400 });
    const r = await c.nameOnly({ dataCenter: 'dc1', vlan: 100, serverInstance: 'slow-reply' });
    expect(retries.map((x) => (x.error as IpcdTransportError).kind)).toEqual(['timeout']);
    expect(p.requests).toHaveLength(2);
    expect(r.existing).toBe(true);
    expect((await rows('slow-reply')).map((x) => x.id)).toEqual([r.allocationId]);
  });

  test('HTTP 503 and BUSY are retried with backoff; retries are bounded', async () => {
    const p503 = await proxy(firstThen(1, { kind: 'reply', status: 503, body: 'upstream unavailable' }));
    const a = clientVia(p503.url);
    const r = await a.c.commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'busy-1' });
    expect(r.existing).toBe(false);
    expect(
      a.retries.map((x) => [(x.error as IpcdTransportError).kind, (x.error as IpcdTransportError).status]),
    ).toEqual([['http', 503]]);

    const busy = { kind: 'reply', status: 500, body: fault('BUSY', 'the request lost a race; retry it') } as const;
    const pBusy = await proxy(firstThen(2, busy));
    const b = clientVia(pBusy.url, { retryDelayMs: 50 });
    const started = Date.now();
    const r2 = await b.c.commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'busy-2' });
    expect(r2.existing).toBe(false);
    expect(pBusy.requests).toHaveLength(3);
    expect(b.retries.map((x) => [x.attempt, (x.error as IpcdFaultError).code])).toEqual([
      [1, 'BUSY'],
      [2, 'BUSY'],
    ]);
    // Backoff: 50 ms then 100 ms, each with jitter down to half.
    expect(b.retries[0].delayMs).toBeGreaterThanOrEqual(25);
    expect(b.retries[1].delayMs).toBeGreaterThanOrEqual(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);

    const pAlwaysBusy = await proxy(() => busy);
    const e = await clientVia(pAlwaysBusy.url, { retries: 1 })
      .c.commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'busy-3' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpcdFaultError);
    expect(e).toMatchObject({ code: 'BUSY', faultcode: 'soap:Server', attempts: 2 });
    expect(pAlwaysBusy.requests).toHaveLength(2);
    expect(await rows('busy-3')).toEqual([]);
  });

  test('no answer at all: IpcdTransportError after the bounded retries', async () => {
    const p = await proxy(() => ({ kind: 'hang' }));
    const { c, retries } = clientVia(p.url, { timeoutMs: 300, retries: 1 });
    const started = Date.now();
    const e = await c.listAllocations().catch((x: unknown) => x);
    const elapsed = Date.now() - started;
    expect(e).toBeInstanceOf(IpcdTransportError);
    expect(e).toMatchObject({ name: 'IpcdTransportError', kind: 'timeout', attempts: 2, operation: 'ListAllocations' });
    expect((e as Error).message).toMatch(/no answer from .* within 300 ms/);
    expect(retries).toHaveLength(1);
    expect(p.requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(5000);
  });

  test('a release by address is not repeated once it may have arrived; by instance it is', async () => {
    const held = await client.commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'release-me' });
    const pLost = await proxy(firstThen(1, { kind: 'drop' }));
    const byAddress = clientVia(pLost.url);
    const e = await byAddress.c
      .decommission({ dataCenter: 'dc1', vlan: 100, address: held.address })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpcdTransportError);
    expect(e).toMatchObject({ kind: 'network', attempts: 1, maybeDelivered: true });
    expect(pLost.requests).toHaveLength(1);
    // It did arrive: a repeat could have released the address from its next holder.
    expect((await rows('release-me'))[0].released_at).not.toBeNull();

    await client.commission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'release-me-2' });
    const pLost2 = await proxy(firstThen(1, { kind: 'drop' }));
    const byInstance = clientVia(pLost2.url);
    const r = await byInstance.c.decommission({ dataCenter: 'dc1', vlan: 100, serverInstance: 'release-me-2' });
    expect(pLost2.requests).toHaveLength(2);
    expect(r).toEqual({ releasedCount: 0, released: [] }); // the lost first attempt released it
    expect((await rows('release-me-2'))[0].released_at).not.toBeNull();
  });

  test('refused connections are retried for any operation (the request never left); then IpcdTransportError', async () => {
    const url = `http://127.0.0.1:${await freePort()}/ipcd`;
    const { c, retries } = clientVia(url, { retries: 2 });
    const e = await c.decommission({ dataCenter: 'dc1', vlan: 100, address: '10.0.0.9' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpcdTransportError);
    expect(e).toMatchObject({ kind: 'network', maybeDelivered: false, attempts: 3 });
    expect((e as Error).message).toMatch(/ECONNREFUSED|refused/);
    expect(retries).toHaveLength(2);
  });

  test('replies that are not the contract: HTTP errors and protocol errors', async () => {
    const p404 = await proxy(() => ({ kind: 'reply', status: 404, body: 'no such endpoint' }));
    const e404 = await clientVia(p404.url)
      .c.listAllocations()
      .catch((x: unknown) => x);
    expect(e404).toMatchObject({ kind: 'http', status: 404, retryable: false, attempts: 1 });
    expect(p404.requests).toHaveLength(1);

    const pHtml = await proxy(() => ({ kind: 'reply', status: 200, body: '<html><body>hello</body></html>' }));
    const eHtml = await clientVia(pHtml.url)
      .c.listAllocations()
      .catch((x: unknown) => x);
    expect(eHtml).toBeInstanceOf(IpcdTransportError);
    expect(eHtml).toMatchObject({ kind: 'protocol', attempts: 1 });
    expect((eHtml as Error).message).toMatch(/not a SOAP 1.1 envelope/);

    const foreign = `<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>gateway says no</faultstring></soap:Fault></soap:Body></soap:Envelope>`;
    const pForeign = await proxy(firstThen(1, { kind: 'reply', status: 500, body: foreign }));
    const f = clientVia(pForeign.url);
    await f.c.listAllocations();
    expect(f.retries[0].error.message).toMatch(/not ipcd's \(soap:Server: gateway says no\)/);
  });

  test('allAllocations follows nextPage through every page', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 23; i++)
      mine.push((await client.commission({ dataCenter: 'dc1', vlan: 200, serverInstance: `page-${i}` })).allocationId);
    const p = await proxy(() => FORWARD);
    const seen: string[] = [];
    for await (const a of clientVia(p.url).c.allAllocations({ dataCenter: 'dc1', vlan: 200, pageSize: 10 })) {
      expect(a.createdAt).toBeInstanceOf(Date);
      if (a.serverInstance.startsWith('page-')) seen.push(a.allocationId);
    }
    expect(p.requests).toHaveLength(3); // 10 + 10 + 3
    expect(seen.sort()).toEqual(mine.sort());
    const active = await db.store.dataSource.query(
      `SELECT count(*)::int AS n FROM allocation WHERE requested_vlan = 200 AND released_at IS NULL`,
    );
    expect(seen).toHaveLength(active[0].n);
  });

  test('username and password add a WS-Security UsernameToken header; the server accepts the message', async () => {
    const p = await proxy(() => FORWARD);
    const password = 'p]]>&<"\'\r\nx';
    const { c } = clientVia(p.url, { username: 'ops<&>', password });
    const r = await c.commission({ dataCenter: 'dc2', vlan: 100, serverInstance: 'secure-1' });
    expect(r.existing).toBe(false);
    await c.commission({ dataCenter: 'dc2', vlan: 100, serverInstance: 'secure-1' });
    const tokens = p.requests.map((req) => {
      const env = parseXml(req.body);
      const header = child(env, SOAP11_NS, 'Header');
      expect(header?.children).toHaveLength(1);
      const security = child(header, WSSE_NS, 'Security');
      expect(security).toBeDefined();
      const token = child(security, WSSE_NS, 'UsernameToken');
      expect(
        child(child(env, SOAP11_NS, 'Body'), 'http://ipcd.example.org/ns/commissioning/v1', 'CommissionIP'),
      ).toBeDefined();
      return {
        username: child(token, WSSE_NS, 'Username')?.text,
        password: child(token, WSSE_NS, 'Password')?.text,
        nonce: child(token, WSSE_NS, 'Nonce')?.text,
        created: child(token, WSU_NS, 'Created')?.text,
      };
    });
    for (const t of tokens) {
      expect(t.username).toBe('ops<&>');
      expect(t.password).toBe(password);
      expect(Buffer.from(t.nonce!, 'base64')).toHaveLength(16);
      expect(Math.abs(Date.parse(t.created!) - Date.now())).toBeLessThan(60_000);
    }
    expect(tokens[0].nonce).not.toBe(tokens[1].nonce);
    // The attributes, checked on the text: PasswordText type and mustUnderstand on Security.
    expect(p.requests[0].body).toMatch(/<wsse:Security [^>]*soapenv:mustUnderstand="1"/);
    expect(p.requests[0].body).toContain(
      'Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"',
    );
    // No credentials, no header.
    const plain = await proxy(() => FORWARD);
    await clientVia(plain.url).c.listAllocations({ serverInstance: 'secure-1' });
    expect(plain.requests[0].body).not.toContain('Header');
  });

  test('options are checked when the client is made', () => {
    expect(() => new IpcdClient({ url: 'not a url' })).toThrow(TypeError);
    expect(() => new IpcdClient({ url: 'ftp://x/ipcd' })).toThrow(/http: or https:/);
    expect(() => new IpcdClient({ url: server.url, retries: -1 })).toThrow(RangeError);
    expect(() => new IpcdClient({ url: server.url, timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new IpcdClient({ url: server.url, username: 'u' })).toThrow(/go together/);
    expect(new IpcdClient({ url: server.url })).toMatchObject({ timeoutMs: 10000, retries: 2, retryDelayMs: 200 });
  });
});
