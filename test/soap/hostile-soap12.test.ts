/**
 * The hostile-input suite (test/support/hostile-cases.ts) replayed as SOAP 1.2: every case's
 * envelope in SOAP 1.2's namespace, sent as application/soap+xml (a SOAPAction becomes the
 * media type's action parameter). Each must get a SOAP 1.2 fault (HTTP 400, env:Sender) with
 * the same tns:IpcdFault code in env:Detail, leak nothing internal, and change nothing; the
 * size limits hold. A case that never reaches an envelope and does not claim SOAP 1.2 by its
 * media type (JSON as application/json) is answered in SOAP 1.1, as the 1.1 suite expects.
 */
import { request } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { loadExampleTopology } from '../../src/example/topology';
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { readReply, type SoapReply } from '../support/soap';
import { call12, readReply12, SOAP12, SOAP12_TYPE, to12 } from '../support/soap12';
import {
  CASES,
  dtd,
  dumpAll,
  INTERNALS,
  MARKER,
  MAX_BODY,
  snapshot,
  startDtdServer,
  stopDtdServer,
  type Case,
} from '../support/hostile-cases';

beforeAll(startDtdServer);
afterAll(stopDtdServer);

/** A case's body and headers as SOAP 1.2. */
function as12(c: Case): { body: string | Buffer; headers: Record<string, string> } {
  const raw = c.body();
  const gzipped = Buffer.isBuffer(raw) && raw[0] === 0x1f && raw[1] === 0x8b;
  const body =
    typeof raw === 'string' ? to12(raw) : gzipped ? gzipSync(Buffer.from(to12(gunzipSync(raw).toString('utf8')))) : raw;
  const { SOAPAction: action, 'Content-Type': type, ...rest } = c.headers ?? {};
  return {
    body,
    headers: { 'Content-Type': type ?? (action ? `${SOAP12_TYPE}; action=${action}` : SOAP12_TYPE), ...rest },
  };
}

interface Sent {
  status: number;
  type: string;
  text: string;
}

async function send(url: string, body: string | Buffer, headers: Record<string, string>): Promise<Sent> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** A SOAP 1.2 Sender fault with this code that leaks nothing; or, where the client never spoke SOAP 1.2, the 1.1 fault. */
function expectFault(s: Sent, code: string, spoke12: boolean): void {
  expect(s.text).not.toMatch(INTERNALS);
  expect(s.text).not.toContain(MARKER);
  if (!spoke12) {
    expect({ status: s.status, code: readReply(s.status, s.text).fault?.code }).toEqual({ status: 500, code });
    return;
  }
  expect({ status: s.status, type: s.type }).toEqual({ status: 400, type: SOAP12_TYPE });
  const r = readReply12(s.status, s.type, s.text);
  expect({ element: r.body.name, ns: r.body.uri }).toEqual({ element: 'Fault', ns: SOAP12 });
  expect(r.fault).toMatchObject({ value: 'env:Sender', lang: 'en', code, message: expect.stringMatching(/\S{3}/) });
  expect(r.fault?.reason).toBe(r.fault?.message);
}

describe('hostile input over SOAP 1.2 gets a clear SOAP 1.2 fault and changes nothing (postgres store)', () => {
  let db: TestStore;
  let server: RunningServer;
  const alive = async () => {
    const r = await call12(server.url, 'DecommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-nobody' });
    expect({ status: r.status, fault: r.fault, released: r.values.releasedCount }).toEqual({
      status: 200,
      fault: undefined,
      released: '0',
    });
  };

  beforeAll(async () => {
    db = await openTestStore('postgres');
    await loadExampleTopology(db.store);
    server = await startServer(db.store, { maxBodyBytes: MAX_BODY });
    const seeded = await call12(server.url, 'CommissionIP', {
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
    const { body, headers } = as12(c);
    const sent = await send(server.url, body, headers);
    const spoke12 =
      /^application\/soap\+xml/.test(headers['Content-Type']) || (typeof body === 'string' && body.includes(SOAP12));
    expectFault(sent, c.code, spoke12);
    if (spoke12 && c.check)
      await c.check(readReply12(sent.status, sent.type, sent.text) as unknown as SoapReply, 0, db);
    expect(await snapshot(db)).toEqual(before);
    await alive();
  });

  test('100 KB sent chunked as SOAP 1.2, without a Content-Length', async () => {
    const before = await snapshot(db);
    const sent = await new Promise<Sent>((resolve, reject) => {
      const req = request(
        server.url,
        { method: 'POST', headers: { 'Content-Type': SOAP12_TYPE, 'Transfer-Encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text }),
          );
        },
      );
      req.on('error', reject);
      void (async () => {
        req.write(`<?xml version="1.0"?><e:Envelope xmlns:e="${SOAP12}"><e:Body><!--`);
        for (let k = 0; k < 100 && !req.destroyed; k++)
          if (!req.write('x'.repeat(1024))) await new Promise((r) => req.once('drain', r));
        req.end('--></e:Body></e:Envelope>');
      })().catch(() => undefined);
    });
    expectFault(sent, 'REQUEST_TOO_LARGE', true);
    expect(await snapshot(db)).toEqual(before);
    await alive();
  });

  test('no remote DTD was ever fetched and the secret file reached no table', async () => {
    expect(dtd.fetches).toEqual([]);
    expect(await dumpAll(db)).not.toContain(MARKER);
  });
});
