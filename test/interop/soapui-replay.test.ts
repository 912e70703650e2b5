/**
 * The SoapUI project (soapui/ipcd-soapui-project.xml) replayed against the real server on
 * PostgreSQL with WS-Security required: every test step's request as SoapUI sends it, every
 * assertion evaluated (test/support/soapui.ts refuses what it does not understand). Also checks the
 * project against the contract: its cached WSDL is wsdl/ipcd.wsdl, its operations carry the WSDL's
 * soapActions, every operation is exercised and every fault code a request can provoke is asserted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { authOptions } from '../../src/api/operation';
import { loadExampleTopology } from '../../src/example/topology';
import { nameOnly } from '../../src/logic/allocation/commission';
import { FAULT_CODES } from '../../src/logic/core/errors';
import { addNetwork, addZone } from '../../src/logic/topology/topology';
import { addUser } from '../../src/logic/access/users';
import { openTestStore, type TestStore } from '../support/backends';
import { REPO_ROOT } from '../support/processes';
import { startServer, type RunningServer } from '../support/server';
import {
  ASSERTION_TYPES,
  child,
  children,
  CON,
  evaluateXPath,
  parseXml,
  SoapUiProject,
  text,
  type StepResult,
} from '../support/soapui';

const PROJECT_FILE = join(REPO_ROOT, 'soapui', 'ipcd-soapui-project.xml');
const WSDL_FILE = join(REPO_ROOT, 'wsdl', 'ipcd.wsdl');
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const WSDL_SOAP_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
/**
 * Codes no request to this endpoint can provoke: a lost race (BUSY), a database outage
 * (UNAVAILABLE: test/ops/db-outage.test.ts), a server defect (INTERNAL), and
 * the refusals of management operations, which this service does not offer, and BATCH_ABORTED
 * (an item of a refused atomic batch: a result, never a SOAP fault). A new code fails the
 * coverage test until it is asserted in the project or listed here.
 */
const NOT_PROVOKABLE = [
  'BUSY',
  'UNAVAILABLE',
  'INTERNAL',
  'NETWORK_IN_USE',
  'SPLIT_REFUSED',
  'MERGE_REFUSED',
  'BATCH_ABORTED',
];

const project = new SoapUiProject(readFileSync(PROJECT_FILE, 'utf8'));
const testCases = project.testCases();
const requestSteps = testCases.flatMap((tc) =>
  children(tc, 'testStep').filter((s) => s.getAttribute('type') === 'request'),
);
const requestOf = (step: Element) => child(child(step, 'config')!, 'request')!;
const assertionsOf = (step: Element) => children(requestOf(step), 'assertion');
type Element = ReturnType<typeof child> & object;

describe('the SoapUI project against the contract', () => {
  const wsdl = parseXml(readFileSync(WSDL_FILE, 'utf8'));
  const wsdlOps = (local: string, ns: string) => Array.from(wsdl.getElementsByTagNameNS(ns, local));

  test('is a SoapUI 5 project whose WSDL interface caches wsdl/ipcd.wsdl', () => {
    expect(project.root.getAttribute('soapui-version')).toMatch(/^5\./);
    const [iface, ...more] = project.interfaces();
    expect(more).toEqual([]);
    expect(iface.getAttributeNS('http://www.w3.org/2001/XMLSchema-instance', 'type')).toBe('con:WsdlInterface');
    expect(iface.getAttribute('bindingName')).toBe('{http://ipcd.example.org/ns/commissioning/v1}IpcdSoapBinding');
    expect(iface.getAttribute('soapVersion')).toBe('1_1');
    const part = child(child(iface, 'definitionCache')!, 'part')!;
    if (text(child(part, 'content')).trim() !== readFileSync(WSDL_FILE, 'utf8').trim()) {
      throw new Error(
        'the project caches an older wsdl/ipcd.wsdl: paste the current file into the CDATA of its <con:definitionCache> part (SoapUI: Update Definition)',
      );
    }
    expect(text(child(part, 'type'))).toBe(WSDL_NS);
  });

  test("carries the WSDL binding's operations with their soapActions", () => {
    const binding = wsdlOps('binding', WSDL_NS)[0];
    const expected = Object.fromEntries(
      Array.from(binding.getElementsByTagNameNS(WSDL_NS, 'operation')).map((op) => [
        op.getAttribute('name'),
        op.getElementsByTagNameNS(WSDL_SOAP_NS, 'operation')[0].getAttribute('soapAction'),
      ]),
    );
    const actual = Object.fromEntries(
      children(project.interfaces()[0], 'operation').map((op) => [op.getAttribute('name'), op.getAttribute('action')]),
    );
    expect(actual).toEqual(expected);
  });

  test('has test steps for every operation of the portType', () => {
    const portTypeOps = Array.from(wsdlOps('portType', WSDL_NS)[0].getElementsByTagNameNS(WSDL_NS, 'operation')).map(
      (o) => o.getAttribute('name'),
    );
    const used = new Set(requestSteps.map((s) => text(child(child(s, 'config')!, 'operation'))));
    expect([...used].sort()).toEqual([...portTypeOps].sort());
  });

  test('asserts every fault code a request can provoke, each in a step that asserts a SOAP Fault', () => {
    const asserted = new Set<string>();
    for (const step of requestSteps) {
      const as = assertionsOf(step);
      if (!as.some((a) => a.getAttribute('type') === 'Not SOAP Fault Assertion')) continue;
      for (const a of as.filter((x) => x.getAttribute('type') === 'XPath Match')) {
        const conf = child(a, 'configuration')!;
        const path = Array.from(conf.childNodes).find((n) => (n as Element).localName === 'path')?.textContent ?? '';
        if (/ipcd:IpcdFault\/ipcd:code\s*$/.test(path))
          asserted.add(
            Array.from(conf.childNodes).find((n) => (n as Element).localName === 'content')?.textContent ?? '',
          );
      }
    }
    expect([...asserted].sort()).toEqual(FAULT_CODES.filter((c) => !NOT_PROVOKABLE.includes(c)).sort());
  });

  test('uses only assertion types the replayer evaluates, and every request step asserts a SOAP response', () => {
    const types = new Set(requestSteps.flatMap((s) => assertionsOf(s).map((a) => a.getAttribute('type'))));
    for (const t of types) expect(ASSERTION_TYPES).toContain(t);
    for (const t of [
      'SOAP Response',
      'SOAP Fault Assertion',
      'Not SOAP Fault Assertion',
      'XPath Match',
      'Simple Contains',
    ])
      expect(types).toContain(t);
    for (const s of requestSteps) expect(assertionsOf(s).map((a) => a.getAttribute('type'))).toContain('SOAP Response');
  });

  test('sends WS-Security from the outgoing configurations, with credentials as project properties', () => {
    const wss = children(child(project.root, 'wssContainer')!, 'outgoing');
    const names = wss.map((o) => text(child(o, 'name')));
    for (const s of requestSteps) {
      const w = requestOf(s).getAttribute('outgoingWss');
      if (w) expect(names).toContain(w);
    }
    expect(
      requestSteps.filter((s) => requestOf(s).getAttribute('outgoingWss') === 'orchestrator').length,
    ).toBeGreaterThan(20);
    expect(child(wss[0], 'entry')!.getAttribute('username')).toBe('${#Project#username}');
  });

  test('the replayer evaluates SoapUI XPath with namespace declarations', () => {
    const doc = parseXml(`<a xmlns="urn:x"><b>1</b><b>2</b></a>`);
    expect(evaluateXPath("declare namespace x='urn:x';\ncount(//x:b)", doc)).toBe('2');
    expect(evaluateXPath("declare namespace x='urn:x';\n//x:b[2]", doc)).toBe('2');
    expect(evaluateXPath("declare namespace x='urn:x';\n//x:c", doc)).toBeUndefined();
    expect(evaluateXPath('count(//b)', doc)).toBe('0'); // an unprefixed name is in no namespace, as in SoapUI
    expect(CON).toBe(project.root.namespaceURI);
  });
});

describe('the SoapUI project replayed against ipcd (PostgreSQL, WS-Security required)', () => {
  let db: TestStore;
  let server: RunningServer;

  beforeAll(async () => {
    db = await openTestStore('postgres');
    const s = db.store;
    await loadExampleTopology(s);
    // The fixtures the project's description asks for.
    await addNetwork(s, { name: 'soapui-full', dataCenter: 'dc2', vlan: 901, cidr: '192.0.2.0/30' });
    await addZone(s, 'names.soapui.test');
    await addNetwork(s, {
      name: 'soapui-names',
      dataCenter: 'dc2',
      vlan: 902,
      cidr: '198.51.100.0/24',
      zone: 'names.soapui.test',
    });
    for (const hint of ['soapui-web', ...Array.from({ length: 32 }, (_, i) => `soapui-web-${i + 1}`)]) {
      await nameOnly(s, { dataCenter: 'dc2', vlan: 902, serverInstance: `fixture-${hint}`, hostnameHint: hint });
    }
    const p = project.properties;
    await addUser(s, {
      username: p.get('username')!,
      password: p.get('password')!,
      role: 'orchestrator',
      grants: [{ dataCenter: 'dc1' }, { dataCenter: 'dc2' }],
    });
    await addUser(s, {
      username: p.get('readerUsername')!,
      password: p.get('readerPassword')!,
      role: 'tenant',
      tenant: 'acme',
    });
    server = await startServer(s, { auth: authOptions(true) });
    project.properties.set('endpoint', server.url);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  const describeFailures = (results: StepResult[]) =>
    results
      .filter((r) => r.failures.length)
      .map(
        (r) =>
          `${r.step} (HTTP ${r.status ?? '-'}):\n  ${r.failures.join('\n  ')}\n  response: ${r.response?.slice(0, 600) ?? '-'}`,
      )
      .join('\n');

  test.each(testCases.map((tc) => [tc.getAttribute('name')!, tc] as const))(
    'test case "%s" passes',
    async (_name, tc) => {
      const results = await project.run(tc);
      expect(describeFailures(results)).toBe('');
      expect(results.map((r) => r.step)).toEqual(children(tc, 'testStep').map((s) => s.getAttribute('name')));
    },
  );

  test('every allocation the project made is released again (it can be run again)', async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const r = await c.query(
      "SELECT server_instance FROM allocation WHERE released_at IS NULL AND server_instance LIKE 'soapui-%'",
    );
    await c.end();
    expect(r.rows).toEqual([]);
  });
});
