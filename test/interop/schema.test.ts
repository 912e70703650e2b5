/**
 * Interop: libxml2's xmllint, a validator nobody here wrote, checks the contract and the wire.
 * The WSDL must be well-formed; its embedded <xsd:schema> must stand alone as an XSD; and the
 * SOAP Body payload of real requests, responses and fault details exchanged with the running
 * server must validate against that XSD (element order, namespaces, facets, enumerations).
 * Deliberately invalid payloads must be rejected, so the check is known to be able to fail.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExampleTopology } from '../../src/example/topology';
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { envelope, NS, postRaw, type Fields } from '../support/soap';
import { elementChildren, extractSchema, parseTree, payload, SCHEMA_XPATH, xmllint, type Run } from '../support/xsd';

const WSDL_FILE = join(__dirname, '..', '..', 'wsdl', 'ipcd.wsdl');

describe('the contract and the wire under xmllint', () => {
  let dir: string;
  let xsd: string;
  let ts: TestStore;
  let server: RunningServer;
  /** label -> standalone payload document, recorded from real exchanges in beforeAll. */
  const docs = new Map<string, string>();
  const statuses = new Map<string, number>();

  async function exchange(label: string, operation: string, fields: Fields): Promise<string> {
    const sent = envelope(operation, fields);
    const { status, text } = await postRaw(server.url, sent, { SOAPAction: `"${NS}/${operation}"` });
    docs.set(`${label} request`, payload(sent));
    const isFault = status === 500;
    docs.set(`${label} ${isFault ? 'fault detail' : 'response'}`, payload(text, isFault));
    statuses.set(label, status);
    return text;
  }

  async function validate(label: string, xml: string): Promise<Run> {
    const file = join(dir, `${label.replace(/[^\w-]+/g, '_')}.xml`);
    writeFileSync(file, xml);
    return xmllint(['--noout', '--schema', xsd, file]);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ipcd-interop-xsd-'));
    xsd = join(dir, 'ipcd.xsd');
    await extractSchema(WSDL_FILE, xsd);

    ts = await openTestStore('embedded');
    await loadExampleTopology(ts.store);
    server = await startServer(ts.store);

    const where = { dataCenter: 'dc1', vlan: 100 };
    const si = 'vm-schema';
    await exchange('CommissionIP IPv4 with name', 'CommissionIP', {
      ...where,
      serverInstance: si,
      wantAddress: true,
      wantName: true,
      hostnameHint: 'web-1',
      addressFamily: 'IPv4',
    });
    await exchange('CommissionIP IPv6', 'CommissionIP', { ...where, serverInstance: si, addressFamily: 'IPv6' });
    await exchange('CommissionIP name only', 'CommissionIP', {
      ...where,
      serverInstance: si,
      wantAddress: false,
      wantName: true,
    });
    // Another instance: one instance holds one name-only allocation per VLAN (a retry gets it back).
    await exchange('NameOnly', 'NameOnly', { ...where, serverInstance: `${si}-2`, hostnameHint: 'db-1' });
    // Every allocation with its dns element (NOT_CONFIGURED with a detail, NONE for the name-only ones).
    await exchange('ListAllocations', 'ListAllocations', { ...where, pageSize: 10 });
    await exchange('DecommissionIP', 'DecommissionIP', {
      ...where,
      serverInstance: si,
      releaseAddress: true,
      releaseName: true,
    });
    // The batches: an allocation and a typed fault side by side in one response, an atomic batch
    // refused with failedItem and BATCH_ABORTED, and a batch of releases.
    await exchange('CommissionIPBatch', 'CommissionIPBatch', {
      CommissionIP: [
        { ...where, serverInstance: `${si}-b1`, wantName: true },
        { dataCenter: 'dc1', vlan: 999, serverInstance: `${si}-b2` },
      ],
    });
    await exchange('CommissionIPBatch atomic', 'CommissionIPBatch', {
      atomic: true,
      CommissionIP: [
        { ...where, serverInstance: `${si}-b3` },
        { dataCenter: 'dc1', vlan: 999, serverInstance: `${si}-b4` },
      ],
    });
    await exchange('DecommissionIPBatch', 'DecommissionIPBatch', {
      DecommissionIP: [{ ...where, serverInstance: `${si}-b1`, releaseAddress: true, releaseName: true }],
    });
    // A refusal from the operation handler (node-soap's fault path) ...
    await exchange('CommissionIP unknown VLAN', 'CommissionIP', { vlan: 999, serverInstance: si });
    await exchange('NameOnly ambiguous VLAN', 'NameOnly', { vlan: 100, serverInstance: si });
    // ... and one from the request guard, before node-soap sees the request (app.ts's own envelope).
    const guarded = await postRaw(server.url, envelope('CommissionIP', { ...where, serverInstance: si }), {
      SOAPAction: `"${NS}/NameOnly"`,
    });
    docs.set('guard refusal fault detail', payload(guarded.text, true));
    statuses.set('guard refusal', guarded.status);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await ts?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the WSDL is well-formed XML, as a file and as served', async () => {
    expect(await xmllint(['--noout', WSDL_FILE])).toMatchObject({ code: 0, stderr: '' });
    const served = await fetch(`${server.url}?wsdl`);
    expect(served.status).toBe(200);
    const file = join(dir, 'served.wsdl');
    writeFileSync(file, await served.text());
    expect(await xmllint(['--noout', file])).toMatchObject({ code: 0, stderr: '' });
    // The served contract carries the same schema as the file.
    const fromServed = await xmllint(['--xpath', SCHEMA_XPATH, file]);
    expect(fromServed.stdout).toBe(
      readFileSync(xsd, 'utf8')
        .replace(/^<\?xml[^>]*>\n/, '')
        .replace(/\n$/, ''),
    );
  });

  test('the embedded schema extracts as a standalone XSD that compiles', async () => {
    const text = readFileSync(xsd, 'utf8');
    const root = parseTree(text);
    expect([root.uri, root.local]).toEqual(['http://www.w3.org/2001/XMLSchema', 'schema']);
    expect(root.attributes).toEqual(
      expect.arrayContaining([
        ['targetNamespace', NS],
        ['xmlns:tns', NS],
        ['xmlns:xsd', 'http://www.w3.org/2001/XMLSchema'],
      ]),
    );
    expect(await xmllint(['--noout', xsd])).toMatchObject({ code: 0, stderr: '' });
    // Compiling happens when it is used: a schema that does not compile exits 5, not 0 or 3.
    const r = await validate(
      'minimal fault',
      `<IpcdFault xmlns="${NS}"><code>BUSY</code><message>later</message></IpcdFault>`,
    );
    expect(r).toMatchObject({ code: 0 });
    expect(r.stderr).toMatch(/validates/);
  });

  test('the recorded exchanges went as expected', () => {
    expect(Object.fromEntries(statuses)).toEqual({
      'CommissionIP IPv4 with name': 200,
      'CommissionIP IPv6': 200,
      'CommissionIP name only': 200,
      NameOnly: 200,
      ListAllocations: 200,
      DecommissionIP: 200,
      CommissionIPBatch: 200,
      'CommissionIPBatch atomic': 200,
      DecommissionIPBatch: 200,
      'CommissionIP unknown VLAN': 500,
      'NameOnly ambiguous VLAN': 500,
      'guard refusal': 500,
    });
    const released = elementChildren(parseTree(docs.get('DecommissionIP response')!)).filter(
      (c) => c.local === 'released',
    );
    expect(released.length).toBe(3); // the instance's IPv4+name, IPv6 and name-only allocations
    const states = elementChildren(parseTree(docs.get('ListAllocations response')!))
      .filter((c) => c.local === 'allocation')
      .map((a) =>
        elementChildren(elementChildren(a).find((c) => c.local === 'dns')!)
          .find((c) => c.local === 'state')
          ?.children.join(''),
      );
    expect(states.sort()).toEqual(['NONE', 'NONE', 'NONE', 'NOT_CONFIGURED']);
    const codes = [
      'CommissionIP unknown VLAN fault detail',
      'NameOnly ambiguous VLAN fault detail',
      'guard refusal fault detail',
    ].map((l) =>
      elementChildren(parseTree(docs.get(l)!))
        .find((c) => c.local === 'code')
        ?.children.join(''),
    );
    expect(codes).toEqual(['UNKNOWN_VLAN', 'AMBIGUOUS_VLAN', 'INVALID_REQUEST']);
    // Each batch result holds the allocation or the item's fault, in the order of the items.
    const results = (label: string) =>
      elementChildren(parseTree(docs.get(`${label} response`)!))
        .filter((c) => c.local === 'result')
        .map((r) => elementChildren(r).map((c) => c.local));
    expect(results('CommissionIPBatch')).toEqual([
      ['item', 'CommissionIPResponse'],
      ['item', 'IpcdFault'],
    ]);
    expect(results('CommissionIPBatch atomic')).toEqual([
      ['item', 'IpcdFault'],
      ['item', 'IpcdFault'],
    ]);
    const failedItem = elementChildren(parseTree(docs.get('CommissionIPBatch atomic response')!)).find(
      (c) => c.local === 'failedItem',
    );
    expect(failedItem?.children.join('')).toBe('2');
    expect(results('DecommissionIPBatch')).toEqual([['item', 'DecommissionIPResponse']]);
  });

  const LABELS = [
    'CommissionIP IPv4 with name request',
    'CommissionIP IPv4 with name response',
    'CommissionIP IPv6 request',
    'CommissionIP IPv6 response',
    'CommissionIP name only request',
    'CommissionIP name only response',
    'NameOnly request',
    'NameOnly response',
    'ListAllocations request',
    'ListAllocations response',
    'DecommissionIP request',
    'DecommissionIP response',
    'CommissionIPBatch request',
    'CommissionIPBatch response',
    'CommissionIPBatch atomic request',
    'CommissionIPBatch atomic response',
    'DecommissionIPBatch request',
    'DecommissionIPBatch response',
    'CommissionIP unknown VLAN request',
    'CommissionIP unknown VLAN fault detail',
    'NameOnly ambiguous VLAN request',
    'NameOnly ambiguous VLAN fault detail',
    'guard refusal fault detail',
  ];

  test('every payload was recorded', () => {
    expect([...docs.keys()].sort()).toEqual([...LABELS].sort());
  });

  test.each(LABELS)('%s validates against the schema', async (label) => {
    const doc = docs.get(label);
    expect(doc).toBeDefined();
    const r = await validate(label, doc!);
    if (r.code !== 0) throw new Error(`xmllint rejected the ${label} (exit ${r.code}):\n${r.stderr}\n${doc}`);
    expect(r.stderr).toMatch(/validates/);
  });

  // The check can fail: payloads that break the contract are rejected (exit 3: not valid).
  const INVALID: [string, () => string, RegExp][] = [
    [
      'a request with vlan 4095',
      () => payload(envelope('CommissionIP', { vlan: 4095, serverInstance: 'x' })),
      /maxInclusive/,
    ],
    [
      'a request with vlan "abc"',
      () => payload(envelope('NameOnly', { vlan: 'abc', serverInstance: 'x' })),
      /'abc' is not a valid value/,
    ],
    [
      'a request with its elements out of order',
      () => payload(envelope('CommissionIP', { serverInstance: 'x', vlan: 100 })),
      /serverInstance': This element is not expected/,
    ],
    [
      'a request in no namespace',
      () => `<CommissionIP><vlan>100</vlan><serverInstance>x</serverInstance></CommissionIP>`,
      /No matching global declaration/,
    ],
    [
      'a real response with vlan moved last',
      () =>
        docs
          .get('CommissionIP IPv4 with name response')!
          .replace(/(<vlan>100<\/vlan>)(.*)(<\/CommissionIPResponse>)/s, '$2$1$3'),
      /vlan': This element is not expected/,
    ],
    [
      'a fault detail with an unknown code',
      () => docs.get('CommissionIP unknown VLAN fault detail')!.replace('UNKNOWN_VLAN', 'NO_SUCH_CODE'),
      /enumeration/,
    ],
  ];

  test.each(INVALID)('xmllint rejects %s', async (label, make, why) => {
    const doc = make();
    const r = await validate(`invalid ${label}`, doc);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toMatch(/fails to validate/);
  });

  test('the server refuses the invalid requests too', async () => {
    for (const [operation, fields] of [
      ['CommissionIP', { vlan: 4095, serverInstance: 'x' }],
      ['NameOnly', { vlan: 'abc', serverInstance: 'x' }],
    ] as [string, Fields][]) {
      const { status, text } = await postRaw(server.url, envelope(operation, fields), {
        SOAPAction: `"${NS}/${operation}"`,
      });
      expect(status).toBe(500);
      expect(payload(text, true)).toMatch(/<ipcd:code>INVALID_REQUEST<\/ipcd:code>/);
    }
  });
});
