/**
 * Bad input gets a clear SOAP fault and changes nothing, on both backends and in both SOAP
 * versions. Every case (test/support/hostile-cases.ts) is sent as raw bytes over HTTP and must
 * come back as a fault whose tns:IpcdFault carries the expected stable code and a sentence,
 * without internal error text; every table (row count and content hash) is the same afterwards;
 * and the server still answers. Many cases wrap an otherwise valid CommissionIP, so a refusal
 * that slipped through would show up as a write.
 * - SOAP 1.1 (both stores): HTTP 500, text/xml, soap:Client.
 * - SOAP 1.2 (PostgreSQL): each envelope in SOAP 1.2's namespace, sent as application/soap+xml
 *   (a SOAPAction becomes the media type's action parameter): HTTP 400, env:Sender. A case that
 *   never reaches an envelope and does not claim SOAP 1.2 by its media type (JSON as
 *   application/json) is answered in SOAP 1.1.
 */
import { request } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BACKENDS, openTestStore, type TestStore, type BackendKind } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { call, readReply, type Fields, type SoapReply } from '../support/soap';
import { call12, readReply12, SOAP12, SOAP12_TYPE, to12 } from '../support/soap12';
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

/** What differs between the versions: how a case is sent, how its fault reads, how a valid call is made. */
interface Version {
  name: '1.1' | '1.2';
  /** The case's body and headers in this version. */
  wrap(c: Case): { body: string | Buffer; headers: Record<string, string> };
  /** Checks the fault (code, no leak) and returns it for the case's own check. */
  expectFault(s: Sent, code: string, headers: Record<string, string>, body: string | Buffer): SoapReply | undefined;
  call(url: string, operation: string, fields: Fields): Promise<SoapReply>;
  /** Envelope start for the chunked body, and its media type. */
  chunked: { open: string; close: string; type: string };
}

/** POST raw bytes, with no SOAPAction unless given. */
async function send(url: string, body: string | Buffer, headers: Record<string, string>): Promise<Sent> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, ms: performance.now() - started };
}

/** POST a body of `size` bytes in chunks, without a Content-Length. */
function sendChunked(url: string, size: number, v: Version): Promise<Sent> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'Content-Type': v.chunked.type, 'Transfer-Encoding': 'chunked' } },
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
      req.write(`<?xml version="1.0"?>${v.chunked.open}<!--`);
      for (let sent = 0; sent < size && !req.destroyed; sent += 1024) {
        if (!req.write('x'.repeat(1024))) await new Promise((r) => req.once('drain', r));
      }
      req.end(`-->${v.chunked.close}`);
    })().catch(() => undefined);
  });
}

/** The reply is a clear SOAP 1.1 contract fault with this code, and leaks nothing internal. */
function expectFault11(s: Sent, code: string): SoapReply {
  expect({ status: s.status, type: s.type }).toEqual({ status: 500, type: expect.stringMatching(/^text\/xml/) });
  const r = readReply(s.status, s.text);
  expect({ element: r.body.name, ns: r.body.uri }).toEqual({ element: 'Fault', ns: SOAP11 });
  expect(r.fault).toMatchObject({ code, faultcode: 'soap:Client', message: expect.stringMatching(/\S{3}/) });
  expect(r.fault?.faultstring).toBe(r.fault?.message);
  expect(s.text).not.toMatch(INTERNALS);
  expect(s.text).not.toContain(MARKER);
  return r;
}

const SOAP_1_1: Version = {
  name: '1.1',
  wrap: (c) => ({ body: c.body(), headers: { 'Content-Type': 'text/xml; charset=utf-8', ...c.headers } }),
  expectFault: (s, code) => expectFault11(s, code),
  call: (url, operation, fields) => call(url, operation, fields),
  chunked: {
    open: `<s:Envelope xmlns:s="${SOAP11}"><s:Body>`,
    close: '</s:Body></s:Envelope>',
    type: 'text/xml; charset=utf-8',
  },
};

const SOAP_1_2: Version = {
  name: '1.2',
  wrap(c) {
    const raw = c.body();
    const gzipped = Buffer.isBuffer(raw) && raw[0] === 0x1f && raw[1] === 0x8b;
    const body =
      typeof raw === 'string'
        ? to12(raw)
        : gzipped
          ? gzipSync(Buffer.from(to12(gunzipSync(raw).toString('utf8'))))
          : raw;
    const { SOAPAction: action, 'Content-Type': type, ...rest } = c.headers ?? {};
    return {
      body,
      headers: { 'Content-Type': type ?? (action ? `${SOAP12_TYPE}; action=${action}` : SOAP12_TYPE), ...rest },
    };
  },
  // A SOAP 1.2 Sender fault with this code that leaks nothing; where the client never spoke 1.2, the 1.1 fault.
  expectFault(s, code, headers, body) {
    const spoke12 =
      /^application\/soap\+xml/.test(headers['Content-Type']) || (typeof body === 'string' && body.includes(SOAP12));
    if (!spoke12) {
      expect(s.text).not.toMatch(INTERNALS);
      expect(s.text).not.toContain(MARKER);
      expect({ status: s.status, code: readReply(s.status, s.text).fault?.code }).toEqual({ status: 500, code });
      return undefined;
    }
    expect(s.text).not.toMatch(INTERNALS);
    expect(s.text).not.toContain(MARKER);
    expect({ status: s.status, type: s.type }).toEqual({ status: 400, type: SOAP12_TYPE });
    const r = readReply12(s.status, s.type, s.text);
    expect({ element: r.body.name, ns: r.body.uri }).toEqual({ element: 'Fault', ns: SOAP12 });
    expect(r.fault).toMatchObject({ value: 'env:Sender', lang: 'en', code, message: expect.stringMatching(/\S{3}/) });
    expect(r.fault?.reason).toBe(r.fault?.message);
    return r as unknown as SoapReply;
  },
  call: (url, operation, fields) => call12(url, operation, fields) as unknown as Promise<SoapReply>,
  chunked: { open: `<e:Envelope xmlns:e="${SOAP12}"><e:Body>`, close: '</e:Body></e:Envelope>', type: SOAP12_TYPE },
};

// ---- the suite ---------------------------------------------------------------------------------

const RUNS: [BackendKind, string, Version][] = [
  ...BACKENDS.map((b): [BackendKind, string, Version] => [b, SOAP_1_1.name, SOAP_1_1]),
  ['postgres', SOAP_1_2.name, SOAP_1_2],
];

describe.each(RUNS)(
  'hostile input gets a clear SOAP fault and changes nothing (%s store, SOAP %s)',
  (backend, _name, v) => {
    let db: TestStore;
    let server: RunningServer;
    const alive = async () => {
      // A valid request that writes nothing: release what a never-seen instance holds.
      const r = await v.call(server.url, 'DecommissionIP', {
        dataCenter: 'dc1',
        vlan: 100,
        serverInstance: 'vm-nobody',
      });
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
      const seeded = await v.call(server.url, 'CommissionIP', {
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
      const { body, headers } = v.wrap(c);
      const sent = await send(server.url, body, headers);
      const reply = v.expectFault(sent, c.code, headers, body);
      if (reply) await c.check?.(reply, sent.ms, db);
      expect(await snapshot(db)).toEqual(before);
      await alive();
    });

    test('100 KB sent chunked, without a Content-Length', async () => {
      const before = await snapshot(db);
      const sent = await sendChunked(server.url, 100 * 1024, v);
      v.expectFault(sent, 'REQUEST_TOO_LARGE', { 'Content-Type': v.chunked.type }, '');
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
          const { body, headers } = v.wrap(c);
          const sent = await send(server.url, body, headers);
          return () => void v.expectFault(sent, c.code, headers, body);
        });
        if (k % 5 === 4) {
          const vm = valid[(k - 4) / 5];
          jobs.push(async () => {
            const r = await v.call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: vm });
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
  },
);
