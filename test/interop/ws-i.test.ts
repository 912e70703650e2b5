/**
 * WS-I Basic Profile 1.1: every requirement on the description that a script can check, on each
 * WSDL as the running server serves it (GET /ipcd?wsdl, GET /ipcd-admin?wsdl), and the
 * message-level requirements on real exchanges with that server. docs/ws-i.md lists them, and what is met by construction instead.
 * Test names start with the requirement's R-number. The Profile covers SOAP 1.1 bindings: its
 * rules are checked on the SOAP 1.1 binding; the SOAP 1.2 binding (Basic Profile 2.0's scope) is
 * checked to be the same binding with soap12. Beside the Profile: the WS-SecurityPolicy each
 * binding carries, on the WSDL files and as served.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMISSIONING, MANAGEMENT } from '../../src/api/contract';
import { loadExampleTopology } from '../../src/example/topology';
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { envelope, NS, postRaw } from '../support/soap';
import { nodes, parseXml, select, type Document, type Element } from '../support/xml';

const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
const WSDL_SOAP = 'http://schemas.xmlsoap.org/wsdl/soap/';
const XSD = 'http://www.w3.org/2001/XMLSchema';
const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP_ENC = 'http://schemas.xmlsoap.org/soap/encoding/';
const HTTP_TRANSPORT = 'http://schemas.xmlsoap.org/soap/http';
const WSDL_SOAP12 = 'http://schemas.xmlsoap.org/wsdl/soap12/';
const P = { wsdl: WSDL, soap: WSDL_SOAP, soap12: WSDL_SOAP12, xsd: XSD, env: SOAP_ENV };
/** The SOAP 1.1 binding, the one the Profile is about. */
const B11 = '/wsdl:definitions/wsdl:binding[soap:binding]';

let db: TestStore;
let server: RunningServer;
let served: { status: number; contentType: string; text: string };
let wsdl: Document;
/** Each service's WSDL as served; `served` and `wsdl` above are the one under test. */
const fetched = new Map<string, { served: typeof served; wsdl: Document }>();
const use = (endpoint: string) => ({ served, wsdl } = fetched.get(endpoint)!);

const all = (expr: string, node: Document | Element = wsdl) => nodes(expr, node, P);
const attr = (e: Element, name: string) => e.getAttribute(name) ?? '';
/** A QName attribute's value resolved against the namespaces in scope where it is written. */
function qname(e: Element, name: string): { ns: string; local: string } {
  const v = attr(e, name);
  const [prefix, local] = v.includes(':') ? v.split(':') : ['', v];
  const ns = e.lookupNamespaceURI(prefix || null);
  if (ns === null) throw new Error(`${name}="${v}" on <${e.tagName}> uses an undeclared prefix`);
  return { ns, local };
}
const tns = () => attr(wsdl.documentElement as Element, 'targetNamespace');
const byName = (expr: string, name: string) => all(expr).find((e) => attr(e, 'name') === name);
const portTypeOps = () => all('/wsdl:definitions/wsdl:portType/wsdl:operation');
const bindingOps = () => all(`${B11}/wsdl:operation`);

beforeAll(async () => {
  db = await openTestStore('postgres');
  await loadExampleTopology(db.store);
  server = await startServer(db.store);
  for (const { endpoint } of [COMMISSIONING, MANAGEMENT]) {
    const res = await fetch(`${server.base}${endpoint}?wsdl`);
    const text = await res.text();
    fetched.set(endpoint, {
      served: { status: res.status, contentType: res.headers.get('content-type') ?? '', text },
      wsdl: parseXml(text),
    });
  }
  use(COMMISSIONING.endpoint);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await db?.dispose();
});

describe.each([COMMISSIONING.endpoint, MANAGEMENT.endpoint])('the description (WSDL as served at %s)', (endpoint) => {
  beforeAll(() => use(endpoint));

  test('is served with HTTP 200 as XML and names the endpoint it was fetched from', () => {
    expect(served.status).toBe(200);
    expect(served.contentType).toMatch(/^(text|application)\/xml/);
    expect(all('//wsdl:service/wsdl:port/soap:address').map((a) => attr(a, 'location'))).toEqual([
      `${server.base}${endpoint}`,
    ]);
  });

  test('R4003 R4004: well-formed XML 1.0 in UTF-8', () => {
    expect(served.text).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    expect(served.contentType).not.toMatch(/charset=(?!utf-8)/i);
  });

  test('R2001 R2002 R2003: no wsdl:import; any xsd:import only inside xsd:schema in wsdl:types', () => {
    expect(all('//wsdl:import')).toEqual([]);
    expect(all('//xsd:import[not(parent::xsd:schema/parent::wsdl:types)]')).toEqual([]);
    expect(all('//xsd:schema[not(parent::wsdl:types)]')).toEqual([]);
  });

  test('R2105: every xsd:schema in wsdl:types has a non-empty targetNamespace', () => {
    const schemas = all('/wsdl:definitions/wsdl:types/xsd:schema');
    expect(schemas.length).toBeGreaterThan(0);
    for (const s of schemas) expect(attr(s, 'targetNamespace')).not.toBe('');
  });

  test('R2110 R2111 and no encoded types: nothing from the SOAP encoding namespace, no arrayType, no use="encoded", no encodingStyle', () => {
    expect(served.text).not.toContain(SOAP_ENC);
    expect(select('count(//@*[local-name()="arrayType"])', wsdl)).toBe(0);
    expect(select('count(//@use[. != "literal"])', wsdl)).toBe(0);
    expect(select('count(//@encodingStyle)', wsdl)).toBe(0);
    // No schema type refers to anything outside XML Schema and the contract's own namespace.
    const typed = all('//xsd:schema//*[@type or @base or @ref]');
    expect(typed.length).toBeGreaterThan(10);
    for (const e of typed) {
      for (const a of ['type', 'base', 'ref']) if (e.hasAttribute(a)) expect([XSD, tns()]).toContain(qname(e, a).ns);
    }
  });

  test('R2206 R2204: every message part names a global element declared in the embedded schema, never a type', () => {
    const schema = all('/wsdl:definitions/wsdl:types/xsd:schema')[0];
    const globals = new Set(nodes('xsd:element', schema, P).map((e) => attr(e, 'name')));
    const parts = all('/wsdl:definitions/wsdl:message/wsdl:part');
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.length).toBe(all('/wsdl:definitions/wsdl:message').length);
    for (const p of parts) {
      expect(p.hasAttribute('type')).toBe(false);
      const el = qname(p, 'element');
      expect(el.ns).toBe(attr(schema, 'targetNamespace'));
      expect(globals).toContain(el.local);
    }
  });

  test('R2201 R2210: one part per message, and soap:body binds it without a parts attribute', () => {
    for (const m of all('/wsdl:definitions/wsdl:message')) expect(nodes('wsdl:part', m, P)).toHaveLength(1);
    const bodies = all(`${B11}/wsdl:operation/*/soap:body`);
    expect(bodies).toHaveLength(bindingOps().length * 2);
    for (const b of bodies) expect(b.hasAttribute('parts')).toBe(false);
  });

  test('document/literal wrapped: the request part is the operation-named element, the response part the one with "Response", both named "parameters"', () => {
    for (const op of portTypeOps()) {
      const name = attr(op, 'name');
      for (const [dir, element] of [
        ['input', name],
        ['output', `${name}Response`],
      ]) {
        const io = nodes(`wsdl:${dir}`, op, P)[0];
        const message = byName('/wsdl:definitions/wsdl:message', qname(io, 'message').local)!;
        const part = nodes('wsdl:part', message, P)[0];
        expect([attr(part, 'name'), qname(part, 'element')]).toEqual(['parameters', { ns: tns(), local: element }]);
      }
    }
  });

  test('R2705: document style throughout (binding and every operation), no rpc', () => {
    expect(
      all('/wsdl:definitions/wsdl:binding/soap:binding | /wsdl:definitions/wsdl:binding/soap12:binding').map((b) =>
        attr(b, 'style'),
      ),
    ).toEqual(['document', 'document']);
    for (const o of all('/wsdl:definitions/wsdl:binding/wsdl:operation/soap:operation'))
      expect(['', 'document']).toContain(attr(o, 'style'));
  });

  test('R2706 R2716: use="literal" on every soap:body and soap:fault, none with a namespace attribute', () => {
    const uses = all(
      '//wsdl:binding//soap:body | //wsdl:binding//soap:fault | //wsdl:binding//soap:header | //wsdl:binding//soap:headerfault',
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) {
      expect(attr(u, 'use')).toBe('literal');
      expect(u.hasAttribute('namespace')).toBe(false);
    }
  });

  test('R2401 R2701 R2702: one WSDL SOAP 1.1 binding over HTTP; the other binding is its SOAP 1.2 twin', () => {
    const bindings = all('/wsdl:definitions/wsdl:binding');
    expect(bindings).toHaveLength(2);
    const [b11, b12] = bindings;
    const sb = nodes('soap:binding', b11, P);
    expect(sb).toHaveLength(1);
    expect(attr(sb[0], 'transport')).toBe(HTTP_TRANSPORT);
    // The SOAP 1.2 binding: the same portType, transport, operations, soapActions and literal
    // bodies and faults, with soap12 in place of soap (and nothing of SOAP 1.1's in it).
    expect(qname(b12, 'type')).toEqual(qname(b11, 'type'));
    expect(nodes('soap:*', b12, P)).toEqual([]);
    expect(attr(nodes('soap12:binding', b12, P)[0], 'transport')).toBe(HTTP_TRANSPORT);
    const shape = (b: Element, ns: string) =>
      nodes('wsdl:operation', b, P).map((o) => ({
        name: attr(o, 'name'),
        action: attr(nodes(`${ns}:operation`, o, P)[0], 'soapAction'),
        uses: nodes(`*/${ns}:body | */${ns}:fault`, o, P).map((x) => `${x.localName}:${attr(x, 'use')}`),
      }));
    expect(shape(b12, 'soap12')).toEqual(shape(b11, 'soap'));
    // Both ports of the one service name the same address.
    const ports = all('/wsdl:definitions/wsdl:service/wsdl:port');
    expect(ports.map((p) => qname(p, 'binding').local)).toEqual(bindings.map((b) => attr(b, 'name')));
    expect(nodes('soap12:address', ports[1], P).map((a) => attr(a, 'location'))).toEqual(
      nodes('soap:address', ports[0], P).map((a) => attr(a, 'location')),
    );
  });

  test("R2718 R2209: the binding has exactly the portType's operations, each with input and output bound", () => {
    const binding = all('/wsdl:definitions/wsdl:binding')[0];
    expect(qname(binding, 'type')).toEqual({
      ns: tns(),
      local: attr(all('/wsdl:definitions/wsdl:portType')[0], 'name'),
    });
    expect(
      bindingOps()
        .map((o) => attr(o, 'name'))
        .sort(),
    ).toEqual(
      portTypeOps()
        .map((o) => attr(o, 'name'))
        .sort(),
    );
    for (const o of bindingOps()) {
      expect(nodes('wsdl:input/soap:body', o, P)).toHaveLength(1);
      expect(nodes('wsdl:output/soap:body', o, P)).toHaveLength(1);
    }
  });

  test('R2205 R2721 R2754: every declared fault is bound by a named soap:fault matching its wsdl:fault, with an element part', () => {
    for (const op of portTypeOps()) {
      const faults = nodes('wsdl:fault', op, P);
      expect(faults.length).toBeGreaterThan(0);
      const bop = byName('/wsdl:definitions/wsdl:binding/wsdl:operation', attr(op, 'name'))!;
      for (const f of faults) {
        const bound = nodes(`wsdl:fault[@name="${attr(f, 'name')}"]/soap:fault`, bop, P);
        expect(bound).toHaveLength(1);
        expect(attr(bound[0], 'name')).toBe(attr(f, 'name'));
        const message = byName('/wsdl:definitions/wsdl:message', qname(f, 'message').local)!;
        const parts = nodes('wsdl:part', message, P);
        expect(parts).toHaveLength(1);
        expect(parts[0].hasAttribute('element')).toBe(true);
      }
    }
  });

  test('R2303 R2304: request-response operations only, with distinct names', () => {
    const names = portTypeOps().map((o) => attr(o, 'name'));
    expect(new Set(names).size).toBe(names.length);
    for (const o of portTypeOps()) {
      const kids = Array.from(o.childNodes).filter(
        (n): n is Element =>
          n.nodeType === 1 && (n as Element).namespaceURI === WSDL && (n as Element).localName !== 'documentation',
      );
      expect(kids.map((k) => k.localName)).toEqual(['input', 'output', ...kids.slice(2).map(() => 'fault')]);
    }
  });

  test('R2710: distinct wire signatures: no two operations take the same request element', () => {
    const signatures = portTypeOps().map((o) => {
      const message = byName('/wsdl:definitions/wsdl:message', qname(nodes('wsdl:input', o, P)[0], 'message').local)!;
      const el = qname(nodes('wsdl:part', message, P)[0], 'element');
      return `{${el.ns}}${el.local}`;
    });
    expect(new Set(signatures).size).toBe(signatures.length);
  });

  test('soapAction: each operation has its own absolute URI (R2744 and R1109 then govern the header)', () => {
    const actions = all(`${B11}/wsdl:operation/soap:operation`).map((o) => attr(o, 'soapAction'));
    expect(actions).toHaveLength(bindingOps().length);
    expect(new Set(actions).size).toBe(actions.length);
    for (const a of actions) expect(a).toMatch(/^https?:\/\/\S+$/);
  });

  test('R2711: no two ports share an address; R2026: no extension is wsdl:required', () => {
    const locations = all('//wsdl:port/soap:address').map((a) => attr(a, 'location'));
    expect(new Set(locations).size).toBe(locations.length);
    expect(
      select(
        'count(//@*[local-name()="required" and namespace-uri()="http://schemas.xmlsoap.org/wsdl/"][. = "true" or . = "1"])',
        wsdl,
      ),
    ).toBe(0);
  });

  test('the schema qualifies local elements (R1014 then holds for wrapper children too)', () => {
    expect(attr(all('/wsdl:definitions/wsdl:types/xsd:schema')[0], 'elementFormDefault')).toBe('qualified');
  });
});

const WSP = 'http://www.w3.org/ns/ws-policy';
const SP = 'http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const POLICY_NS = { ...P, wsp: WSP, sp: SP, wsu: WSU };
const WSDL_DIR = join(__dirname, '..', '..', 'wsdl');
/** Each WSDL as committed and as served. */
const POLICY_SOURCES: [string, () => Document][] = [
  ...['ipcd.wsdl', 'ipcd-admin.wsdl'].map((f): [string, () => Document] => [
    `wsdl/${f}`,
    () => parseXml(readFileSync(join(WSDL_DIR, f), 'utf8')),
  ]),
  ...[COMMISSIONING.endpoint, MANAGEMENT.endpoint].map((e): [string, () => Document] => [
    `${e}?wsdl`,
    () => fetched.get(e)!.wsdl,
  ]),
];

/**
 * Not the Profile's: the WS-SecurityPolicy 1.2 every binding carries (README, "WS-Security and
 * WS-SecurityPolicy"), on both WSDL files as committed and as served: each binding, SOAP 1.1 and
 * SOAP 1.2, references a WS-Policy 1.5 policy in the same document that asks for a WS-Security
 * 1.0 UsernameToken as a supporting token sent to ipcd, and nothing asks for a transport binding.
 */
describe.each(POLICY_SOURCES)('WS-SecurityPolicy in %s', (_source, doc) => {
  const policyNodes = (expr: string, node: Document | Element) => nodes(expr, node, POLICY_NS);

  test('every binding, SOAP 1.1 and SOAP 1.2, references the UsernameToken policy', () => {
    const d = doc();
    const bindings = policyNodes('/wsdl:definitions/wsdl:binding', d);
    expect(
      bindings.map((b) =>
        policyNodes('soap:binding', b).length ? '1.1' : policyNodes('soap12:binding', b).length ? '1.2' : '?',
      ),
    ).toEqual(['1.1', '1.2']);
    for (const b of bindings) {
      const refs = policyNodes('wsp:PolicyReference', b);
      expect({ binding: attr(b, 'name'), refs: refs.map((r) => attr(r, 'URI')) }).toEqual({
        binding: attr(b, 'name'),
        refs: ['#IpcdUsernameToken'],
      });
      // The reference resolves to a policy of this document with that wsu:Id.
      const id = attr(refs[0], 'URI').slice(1);
      const policies = policyNodes('/wsdl:definitions/wsp:Policy', d).filter((p) => p.getAttributeNS(WSU, 'Id') === id);
      expect(policies).toHaveLength(1);
    }
  });

  test('the policy is sp:SupportingTokens with a WS-Security 1.0 sp:UsernameToken, always sent to the recipient', () => {
    const all = policyNodes('/wsdl:definitions/wsp:Policy', doc());
    expect(all.map((p) => p.getAttributeNS(WSU, 'Id'))).toEqual(['IpcdUsernameToken']);
    const [policy] = all;
    const assertions = policyNodes('*', policy);
    expect(assertions.map((a) => [a.namespaceURI, a.localName])).toEqual([[SP, 'SupportingTokens']]);
    const tokens = policyNodes('sp:SupportingTokens/wsp:Policy/*', policy);
    expect(tokens.map((t) => [t.namespaceURI, t.localName])).toEqual([[SP, 'UsernameToken']]);
    expect(tokens[0].getAttributeNS(SP, 'IncludeToken')).toBe(`${SP}/IncludeToken/AlwaysToRecipient`);
    expect(policyNodes('wsp:Policy/*', tokens[0]).map((t) => [t.namespaceURI, t.localName])).toEqual([
      [SP, 'WssUsernameToken10'],
    ]);
  });

  test('no sp:TransportBinding or sp:HttpsToken: the contract stays usable at an http:// address', () => {
    expect(
      policyNodes('//sp:TransportBinding | //sp:HttpsToken | //sp:AsymmetricBinding | //sp:SymmetricBinding', doc()),
    ).toEqual([]);
  });
});

/** The binding's soapAction for an operation, as the WSDL serves it. */
const actionOf = (op: string) =>
  attr(all(`/wsdl:definitions/wsdl:binding/wsdl:operation[@name="${op}"]/soap:operation`)[0], 'soapAction');
/** The output part's element of an operation. */
function outputElement(op: string): { ns: string; local: string } {
  const pt = byName('/wsdl:definitions/wsdl:portType/wsdl:operation', op)!;
  const message = byName('/wsdl:definitions/wsdl:message', qname(nodes('wsdl:output', pt, P)[0], 'message').local)!;
  return qname(nodes('wsdl:part', message, P)[0], 'element');
}

async function exchange(op: string, fields: Record<string, string | number | boolean>) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${actionOf(op)}"` },
    body: envelope(op, fields),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, doc: parseXml(text) };
}

const bodyChild = (doc: Document) => nodes('/env:Envelope/env:Body/*', doc, P);

describe('messages exchanged with the server', () => {
  beforeAll(() => use(COMMISSIONING.endpoint));
  const calls: [string, Record<string, string | number | boolean>][] = [
    ['CommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'wsi-1', wantName: true }],
    ['NameOnly', { dataCenter: 'dc1', vlan: 100, serverInstance: 'wsi-2' }],
    ['ListAllocations', { dataCenter: 'dc1' }],
    ['DecommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'wsi-1' }],
  ];

  test.each(calls)(
    "R1109 R2744 R1111 R2712 R1014 R1011: %s with its quoted soapAction gets 200 and one namespace-qualified wrapper, the output part's element",
    async (op, fields) => {
      const r = await exchange(op, fields);
      expect(r.status).toBe(200);
      expect(r.contentType).toMatch(/^text\/xml/);
      const kids = bodyChild(r.doc);
      expect(kids).toHaveLength(1);
      expect({ ns: kids[0].namespaceURI, local: kids[0].localName }).toEqual(outputElement(op));
      for (const c of nodes('*', kids[0])) expect(c.namespaceURI).toBe(NS);
      expect(nodes('/env:Envelope/env:Body/following-sibling::*', r.doc, P)).toEqual([]);
    },
  );

  test('R1126 R1000 R1001 R1004: a fault is HTTP 500, its children unqualified faultcode/faultstring/detail, the code a SOAP-namespace QName, the detail the declared fault element', async () => {
    const r = await exchange('CommissionIP', { vlan: 100, serverInstance: 'wsi-3' }); // ambiguous VLAN
    expect(r.status).toBe(500);
    const [fault] = bodyChild(r.doc);
    expect([fault.namespaceURI, fault.localName]).toEqual([SOAP_ENV, 'Fault']);
    const kids = nodes('*', fault);
    for (const k of kids) expect(k.namespaceURI).toBeNull();
    expect(kids.map((k) => k.localName)).toEqual(['faultcode', 'faultstring', 'detail']);
    const code = kids[0].textContent!.trim();
    const [prefix, local] = code.split(':');
    expect(kids[0].lookupNamespaceURI(prefix)).toBe(SOAP_ENV);
    expect(local).toBe('Client');
    const detail = nodes('*', kids[2]);
    const declared = qname(nodes('wsdl:part', byName('/wsdl:definitions/wsdl:message', 'IpcdFault')!, P)[0], 'element');
    expect(detail.map((d) => ({ ns: d.namespaceURI, local: d.localName }))).toEqual([declared]);
  });

  test('R1008: no message carries a document type declaration: the server sends none and refuses one', async () => {
    const r = await exchange('ListAllocations', {});
    expect(r.text).not.toMatch(/<!DOCTYPE/i);
    const withDtd = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "v">]>${envelope('ListAllocations', {}).replace(/^<\?xml[^>]*\?>/, '')}`;
    const refused = await postRaw(server.url, withDtd, { SOAPAction: `"${actionOf('ListAllocations')}"` });
    expect(refused.status).toBe(500);
    expect(refused.text).toContain('INVALID_REQUEST');
    expect(refused.text).not.toMatch(/<!DOCTYPE/i);
  });
});
