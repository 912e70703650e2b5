/**
 * The BPEL example (docs/bpel/): the partner wrapper WSDL, the process's own WSDL and the WS-BPEL
 * 2.0 process are well-formed (xmllint), and every name they use resolves — imports to files with
 * that target namespace, partner link types and roles, port types, operations, messages, faults,
 * correlation properties, and the elements that literals and $variable.part/… expressions touch,
 * in wsdl/ipcd.wsdl for everything of ipcd's. No BPEL engine runs here (none is packaged for
 * Debian or npm); these are the static checks an engine's deployment makes first.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from '../support/processes';
import { nodes, parseXml, type Document, type Element } from '../support/xml';

const DIR = join(REPO_ROOT, 'docs', 'bpel');
const PROCESS = join(DIR, 'vm-lifecycle.bpel');
const IPCD_WSDL = join(REPO_ROOT, 'wsdl', 'ipcd.wsdl');
const IPCD_NS = 'http://ipcd.example.org/ns/commissioning/v1';
const P = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  plnk: 'http://docs.oasis-open.org/wsbpel/2.0/plnktype',
  vprop: 'http://docs.oasis-open.org/wsbpel/2.0/varprop',
  bpel: 'http://docs.oasis-open.org/wsbpel/2.0/process/executable',
};

interface QName {
  ns: string;
  local: string;
}
const key = (q: QName) => `{${q.ns}}${q.local}`;

/** A prefixed name in an attribute or text, resolved where it is written. */
function resolveName(at: Element, value: string): QName {
  const [prefix, local] = value.includes(':') ? value.split(':') : ['', value];
  const ns = at.lookupNamespaceURI(prefix || null);
  if (ns === null) throw new Error(`'${value}' on <${at.tagName}> uses an undeclared prefix`);
  return { ns, local };
}
const attr = (e: Element, name: string) => e.getAttribute(name) ?? '';
const q = (e: Element, name: string) => resolveName(e, attr(e, name));

function xmllint(file: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) =>
    execFile('xmllint', ['--noout', file], (err, _out, stderr) => done({ code: err ? 1 : 0, stderr: String(stderr) })),
  );
}

/** The WSDL documents a file imports, transitively, by target namespace (file paths resolved as an engine would). */
const definitions = new Map<string, { file: string; doc: Document }[]>();
function loadWsdl(file: string): void {
  if ([...definitions.values()].flat().some((d) => d.file === file)) return;
  const doc = parseXml(readFileSync(file, 'utf8'));
  const tns = attr(doc.documentElement as Element, 'targetNamespace');
  definitions.set(tns, [...(definitions.get(tns) ?? []), { file, doc }]);
  for (const imp of nodes('/wsdl:definitions/wsdl:import', doc, P))
    loadWsdl(resolve(dirname(file), attr(imp, 'location')));
}

/** A named top-level WSDL component (wsdl:message, wsdl:portType, plnk:partnerLinkType, vprop:property). */
function component(kind: string, name: QName): Element {
  const found = (definitions.get(name.ns) ?? []).flatMap((d) =>
    nodes(`/wsdl:definitions/${kind}[@name="${name.local}"]`, d.doc, P),
  );
  if (found.length !== 1)
    throw new Error(
      `${kind} ${key(name)} is ${found.length ? 'declared more than once' : 'not declared in any imported WSDL'}`,
    );
  return found[0];
}
/** A global element declaration of a namespace's embedded schema. */
function globalElement(name: QName): Element {
  const found = (definitions.get(name.ns) ?? []).flatMap((d) =>
    nodes(`/wsdl:definitions/wsdl:types/xsd:schema/xsd:element[@name="${name.local}"]`, d.doc, P),
  );
  if (found.length !== 1) throw new Error(`element ${key(name)} is not declared globally`);
  return found[0];
}
/** The child element names an element declaration's sequence allows, in order. */
const sequenceOf = (decl: Element) =>
  nodes('xsd:complexType/xsd:sequence/xsd:element', decl, P).map((e) => attr(e, 'name'));
/** The element a message part is. */
function partElement(message: QName, part: string): QName {
  const p = nodes(`wsdl:part[@name="${part}"]`, component('wsdl:message', message), P);
  if (p.length !== 1) throw new Error(`message ${key(message)} has no part '${part}'`);
  return q(p[0], 'element');
}
const operation = (portType: QName, name: string): Element => {
  const ops = nodes(`wsdl:operation[@name="${name}"]`, component('wsdl:portType', portType), P);
  if (ops.length !== 1) throw new Error(`port type ${key(portType)} has no operation ${name}`);
  return ops[0];
};
const messageOf = (op: Element, io: 'input' | 'output') => q(nodes(`wsdl:${io}`, op, P)[0], 'message');

const bpel = parseXml(readFileSync(PROCESS, 'utf8'));
const B = (expr: string, at: Document | Element = bpel) => nodes(expr, at, P);

beforeAll(() => {
  for (const imp of B('/bpel:process/bpel:import')) {
    expect(attr(imp, 'importType')).toBe(P.wsdl);
    loadWsdl(resolve(DIR, attr(imp, 'location')));
  }
});

test('the files are well-formed XML (xmllint)', async () => {
  for (const f of ['ipcd-partner.wsdl', 'vm-lifecycle.wsdl', 'vm-lifecycle.bpel']) {
    const r = await xmllint(join(DIR, f));
    expect({ file: f, ...r }).toEqual({ file: f, code: 0, stderr: '' });
  }
});

test('every import resolves to a file whose targetNamespace is the one imported; ipcd resolves to wsdl/ipcd.wsdl', () => {
  const imports: [Element, string][] = [
    ...B('/bpel:process/bpel:import').map((i) => [i, PROCESS] as [Element, string]),
    ...[...definitions.values()]
      .flat()
      .flatMap((d) => nodes('/wsdl:definitions/wsdl:import', d.doc, P).map((i) => [i, d.file] as [Element, string])),
  ];
  expect(imports.length).toBeGreaterThanOrEqual(4);
  for (const [imp, from] of imports) {
    const file = resolve(dirname(from), attr(imp, 'location'));
    expect(existsSync(file)).toBe(true);
    expect(attr(parseXml(readFileSync(file, 'utf8')).documentElement as Element, 'targetNamespace')).toBe(
      attr(imp, 'namespace'),
    );
  }
  expect(definitions.get(IPCD_NS)!.map((d) => d.file)).toEqual([IPCD_WSDL]);
});

test("the partner link to ipcd uses the wrapper's partnerLinkType, whose role is wsdl/ipcd.wsdl's IpcdPortType", () => {
  const [link] = B('/bpel:process/bpel:partnerLinks/bpel:partnerLink[@name="ipcd"]');
  const plt = component('plnk:partnerLinkType', q(link, 'partnerLinkType'));
  const [role] = nodes(`plnk:role[@name="${attr(link, 'partnerRole')}"]`, plt, P);
  expect(q(role, 'portType')).toEqual({ ns: IPCD_NS, local: 'IpcdPortType' });
  expect(component('wsdl:portType', q(role, 'portType')).parentNode).toBe(
    definitions.get(IPCD_NS)![0].doc.documentElement,
  );
});

/** A partner link's port type: the role this process plays (myRole) or calls (partnerRole). */
function portTypeOf(linkName: string, side: 'myRole' | 'partnerRole'): QName {
  const [link] = B(`/bpel:process/bpel:partnerLinks/bpel:partnerLink[@name="${linkName}"]`);
  if (!link || !attr(link, side)) throw new Error(`partner link ${linkName} has no ${side}`);
  const [role] = nodes(
    `plnk:role[@name="${attr(link, side)}"]`,
    component('plnk:partnerLinkType', q(link, 'partnerLinkType')),
    P,
  );
  if (!role) throw new Error(`partner link ${linkName}: role ${attr(link, side)} is not in its partnerLinkType`);
  return q(role, 'portType');
}
/** A variable's message type: declared in <variables>, or by the catch that binds it. */
function variableMessage(name: string): QName {
  const [v] = B(`//bpel:variables/bpel:variable[@name="${name}"]`);
  if (v) return q(v, 'messageType');
  const [c] = B(`//bpel:catch[@faultVariable="${name}"]`);
  if (c) return q(c, 'faultMessageType');
  throw new Error(`variable ${name} is not declared`);
}

test('every variable is of a declared message type', () => {
  const vars = B('//bpel:variables/bpel:variable');
  expect(vars.length).toBeGreaterThan(0);
  for (const v of vars) component('wsdl:message', q(v, 'messageType'));
  expect(
    vars
      .filter((v) => q(v, 'messageType').ns === IPCD_NS)
      .map((v) => attr(v, 'messageType'))
      .sort(),
  ).toEqual([
    'ipcd:CommissionIPRequest',
    'ipcd:CommissionIPResponse',
    'ipcd:DecommissionIPRequest',
    'ipcd:DecommissionIPResponse',
  ]);
});

test('every invoke names an ipcd operation, with variables of its input and output messages', () => {
  const invokes = B('//bpel:invoke');
  expect(invokes.map((i) => attr(i, 'operation'))).toEqual(['CommissionIP', 'DecommissionIP']);
  for (const inv of invokes) {
    const pt = portTypeOf(attr(inv, 'partnerLink'), 'partnerRole');
    if (inv.hasAttribute('portType')) expect(q(inv, 'portType')).toEqual(pt);
    const op = operation(pt, attr(inv, 'operation'));
    expect(variableMessage(attr(inv, 'inputVariable'))).toEqual(messageOf(op, 'input'));
    expect(variableMessage(attr(inv, 'outputVariable'))).toEqual(messageOf(op, 'output'));
  }
});

test("every receive and reply names an operation of the process's own port type, with matching variables and faults", () => {
  for (const r of B('//bpel:receive | //bpel:reply')) {
    const pt = portTypeOf(attr(r, 'partnerLink'), 'myRole');
    if (r.hasAttribute('portType')) expect(q(r, 'portType')).toEqual(pt);
    const op = operation(pt, attr(r, 'operation'));
    const got = variableMessage(attr(r, 'variable'));
    if (r.localName === 'receive') expect(got).toEqual(messageOf(op, 'input'));
    else if (r.hasAttribute('faultName')) {
      const f = q(r, 'faultName');
      expect(f.ns).toBe(pt.ns);
      expect(got).toEqual(q(nodes(`wsdl:fault[@name="${f.local}"]`, op, P)[0], 'message'));
    } else expect(got).toEqual(messageOf(op, 'output'));
  }
});

test("every catch names a fault ipcd's port type declares, with its message type", () => {
  const catches = B('//bpel:catch');
  expect(catches.length).toBeGreaterThan(0);
  for (const c of catches) {
    const fault = q(c, 'faultName');
    const declaring = (definitions.get(fault.ns) ?? []).flatMap((d) =>
      nodes(`/wsdl:definitions/wsdl:portType/wsdl:operation/wsdl:fault[@name="${fault.local}"]`, d.doc, P),
    );
    expect(declaring.length).toBeGreaterThan(0);
    for (const f of declaring) expect(q(f, 'message')).toEqual(q(c, 'faultMessageType'));
  }
});

test('correlation: each property is declared and aliased on the messages that carry it', () => {
  for (const set of B('//bpel:correlationSets/bpel:correlationSet')) {
    for (const name of attr(set, 'properties').split(/\s+/)) {
      const prop = resolveName(set, name);
      component('vprop:property', prop);
      const aliased = (definitions.get(prop.ns) ?? [])
        .flatMap((d) => nodes('/wsdl:definitions/vprop:propertyAlias', d.doc, P))
        .filter((a) => key(q(a, 'propertyName')) === key(prop));
      const uses = B(`//bpel:correlation[@set="${attr(set, 'name')}"]/ancestor::bpel:receive`).map((r) =>
        key(variableMessage(attr(r, 'variable'))),
      );
      expect(uses.length).toBeGreaterThan(0);
      for (const u of uses) expect(aliased.map((a) => key(q(a, 'messageType')))).toContain(u);
      for (const a of aliased) partElement(q(a, 'messageType'), attr(a, 'part'));
    }
  }
});

test('each literal is the element of the part it initialises, its children declared and in schema order', () => {
  const literals = B('//bpel:copy[bpel:from/bpel:literal]');
  expect(literals.length).toBeGreaterThanOrEqual(5);
  for (const copy of literals) {
    const [root] = B('bpel:from/bpel:literal/*', copy);
    const [to] = B('bpel:to', copy);
    const target = partElement(variableMessage(attr(to, 'variable')), attr(to, 'part'));
    expect({ ns: root.namespaceURI, local: root.localName }).toEqual(target);
    const allowed = sequenceOf(globalElement(target));
    const used = nodes('*', root).map((c) => {
      expect(c.namespaceURI).toBe(target.ns);
      return c.localName;
    });
    // In the declared order: each used name at a later position of the sequence than the one before.
    const positions = used.map((n) => allowed.indexOf(n ?? ''));
    expect(positions).not.toContain(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  }
});

test('every $variable.part/prefix:child expression names a part of the variable and a child its element declares', () => {
  const exprs = B('//bpel:from[not(*)] | //bpel:to[not(@variable)] | //bpel:condition').flatMap((e) => {
    const found = [...(e.textContent ?? '').matchAll(/\$(\w+)\.(\w+)\/([\w.-]+:[\w.-]+)/g)];
    return found.map((m) => ({ at: e, variable: m[1], part: m[2], child: m[3] }));
  });
  expect(exprs.length).toBeGreaterThanOrEqual(15);
  const ipcdChildren = new Set<string>();
  for (const x of exprs) {
    const element = partElement(variableMessage(x.variable), x.part);
    const child = resolveName(x.at, x.child);
    expect(child.ns).toBe(element.ns);
    expect(sequenceOf(globalElement(element))).toContain(child.local);
    if (child.ns === IPCD_NS) ipcdChildren.add(`${element.local}/${child.local}`);
  }
  expect([...ipcdChildren].sort()).toEqual(
    [
      'CommissionIP/dataCenter',
      'CommissionIP/serverInstance',
      'CommissionIP/vlan',
      'CommissionIPResponse/address',
      'CommissionIPResponse/fqdn',
      'CommissionIPResponse/gateway',
      'CommissionIPResponse/prefixLength',
      'DecommissionIP/dataCenter',
      'DecommissionIP/reason',
      'DecommissionIP/serverInstance',
      'DecommissionIP/vlan',
      'DecommissionIPResponse/releasedCount',
      'IpcdFault/code',
      'IpcdFault/message',
    ].sort(),
  );
});
