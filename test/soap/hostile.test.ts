/**
 * Bad input gets a clear SOAP fault and changes nothing, on both backends. Every case is sent as
 * raw bytes over HTTP and must come back as HTTP 500 with a SOAP 1.1 Fault whose tns:IpcdFault
 * carries the expected stable code and a sentence, without internal error text; every table
 * (row count and content hash) is the same afterwards; and the server still answers.
 * Many cases wrap an otherwise valid CommissionIP, so a refusal that slipped through would
 * show up as a write. The cases are in test/support/hostile-cases.ts; hostile-soap12.test.ts
 * replays them as SOAP 1.2.
 */
import { request } from 'node:http';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { call, readReply, type SoapReply } from '../support/soap';
import { loadExampleTopology } from '../../src/example/topology';
import {
  CASES,
  dtd,
  dumpAll,
  INTERNALS,
  MARKER,
  MAX_BODY,
  snapshot,
  SOAP11,
  startDtdServer,
  stopDtdServer,
  type Case,
} from '../support/hostile-cases';

beforeAll(startDtdServer);
afterAll(stopDtdServer);

// ---- helpers -----------------------------------------------------------------------------------

interface Sent {
  status: number;
  type: string;
  text: string;
  ms: number;
}

/** POST raw bytes, with no SOAPAction unless given. */
async function send(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Sent> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, ms: performance.now() - started };
}

/** POST a body of `size` bytes in chunks, without a Content-Length. */
function sendChunked(url: string, size: number): Promise<Sent> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Transfer-Encoding': 'chunked' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            text,
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    void (async () => {
      req.write(`<?xml version="1.0"?><s:Envelope xmlns:s="${SOAP11}"><s:Body><!--`);
      for (let sent = 0; sent < size && !req.destroyed; sent += 1024) {
        if (!req.write('x'.repeat(1024))) await new Promise((r) => req.once('drain', r));
      }
      req.end('--></s:Body></s:Envelope>');
    })().catch(() => undefined);
  });
}

/** The reply is a clear SOAP 1.1 contract fault with this code, and leaks nothing internal. */
function expectFault(s: Sent, code: string): SoapReply {
  expect({ status: s.status, type: s.type }).toEqual({ status: 500, type: expect.stringMatching(/^text\/xml/) });
  const r = readReply(s.status, s.text);
  expect({ element: r.body.name, ns: r.body.uri }).toEqual({ element: 'Fault', ns: SOAP11 });
  expect(r.fault).toMatchObject({ code, faultcode: 'soap:Client', message: expect.stringMatching(/\S{3}/) });
  expect(r.fault?.faultstring).toBe(r.fault?.message);
  expect(s.text).not.toMatch(INTERNALS);
  expect(s.text).not.toContain(MARKER);
  return r;
}

// ---- the suite ---------------------------------------------------------------------------------

describe.each(BACKENDS)('hostile input gets a clear SOAP fault and changes nothing (%s store)', (backend) => {
  let db: TestStore;
  let server: RunningServer;
  const alive = async () => {
    // A valid request that writes nothing: release what a never-seen instance holds.
    const r = await call(server.url, 'DecommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-nobody' });
    expect({ status: r.status, fault: r.fault, released: r.values.releasedCount }).toEqual({
      status: 200,
      fault: undefined,
      released: '0',
    });
  };

  beforeAll(async () => {
    db = await openTestStore(backend);
    await loadExampleTopology(db.store);
    server = await startServer(db.store, { maxBodyBytes: MAX_BODY });
    // Something issued, so allocations, free ranges and a zone counter have content to protect.
    const seeded = await call(server.url, 'CommissionIP', {
      dataCenter: 'dc1',
      vlan: 100,
      serverInstance: 'vm-seed',
      wantName: true,
    });
    expect(seeded.status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  test.each(CASES.map((c): [string, Case] => [c.name, c]))('%s', async (_name, c) => {
    const before = await snapshot(db);
    const sent = await send(server.url, c.body(), c.headers);
    const reply = expectFault(sent, c.code);
    await c.check?.(reply, sent.ms, db);
    expect(await snapshot(db)).toEqual(before);
    await alive();
  });

  test('100 KB sent chunked, without a Content-Length', async () => {
    const before = await snapshot(db);
    expectFault(await sendChunked(server.url, 100 * 1024), 'REQUEST_TOO_LARGE');
    expect(await snapshot(db)).toEqual(before);
    await alive();
  });

  test('no remote DTD was ever fetched and the secret file reached no reply and no table', async () => {
    expect(dtd.fetches).toEqual([]);
    expect(await dumpAll(db)).not.toContain(MARKER);
  });

  test('50 hostile requests at once, mixed with valid ones: every hostile one faults, every valid one is served', async () => {
    const before = await snapshot(db);
    const hostile = Array.from({ length: 50 }, (_, k) => CASES[(k * 7) % CASES.length]);
    const valid = Array.from({ length: 10 }, (_, k) => `vm-burst-${k}`);
    // Every request is started before any reply is awaited; a valid one after every five hostile.
    const jobs: (() => Promise<() => void>)[] = [];
    hostile.forEach((c, k) => {
      jobs.push(async () => {
        const sent = await send(server.url, c.body(), c.headers);
        return () => void expectFault(sent, c.code);
      });
      if (k % 5 === 4) {
        const vm = valid[(k - 4) / 5];
        jobs.push(async () => {
          const r = await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: vm });
          return () =>
            expect({ vm, status: r.status, fault: r.fault, network: r.values.network }).toEqual({
              vm,
              status: 200,
              fault: undefined,
              network: 'dc1-v100-a',
            });
        });
      }
    });
    expect(jobs).toHaveLength(hostile.length + valid.length);
    const checks = await Promise.all(jobs.map((job) => job()));
    checks.forEach((check) => check());
    const after = await snapshot(db);
    for (const t of ['data_center', 'tenant', 'zone', 'network']) expect(after[t]).toEqual(before[t]);
    expect(after.allocation.rows).toBe(before.allocation.rows + valid.length);
    const issued = await db.store.dataSource.query(
      `SELECT host(address) AS a FROM allocation WHERE server_instance LIKE 'vm-burst-%' AND released_at IS NULL`,
    );
    expect(new Set(issued.map((r: { a: string }) => r.a)).size).toBe(valid.length);
    await alive();
  });
});
