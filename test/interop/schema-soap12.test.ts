/**
 * Interop: xmllint validates what travels over SOAP 1.2 as test/interop/schema.test.ts does for
 * SOAP 1.1: the Body payload of real SOAP 1.2 requests and responses, and the tns:IpcdFault in a
 * SOAP 1.2 fault's env:Detail, against the schema embedded in each WSDL. A payload made invalid is
 * rejected, so the check can fail.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExampleTopology } from '../../src/example/topology';
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { ADMIN_NS, NS, type Fields } from '../support/soap';
import { envelope12, post12, SOAP12 } from '../support/soap12';
import { extractSchema, find, parseTree, serialize, xmllint, type Run } from '../support/xsd';

const WSDL_DIR = join(__dirname, '..', '..', 'wsdl');

/** The SOAP 1.2 Body's child (or env:Detail's IpcdFault in ns) as a standalone document. */
function payload12(xml: string, fault: boolean, ns: string): string {
  const body: [string, string][] = [
    [SOAP12, 'Envelope'],
    [SOAP12, 'Body'],
  ];
  const steps: [string, string][] = fault
    ? [...body, [SOAP12, 'Fault'], [SOAP12, 'Detail'], [ns, 'IpcdFault']]
    : [...body, ['', '*']];
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(find(parseTree(xml), steps), true)}\n`;
}

describe('SOAP 1.2 payloads under xmllint', () => {
  let dir: string;
  const xsd: Record<string, string> = {};
  let ts: TestStore;
  let server: RunningServer;
  /** label -> [namespace, standalone payload] */
  const docs = new Map<string, [string, string]>();
  const statuses: Record<string, number> = {};

  async function exchange(
    label: string,
    endpoint: string,
    ns: string,
    operation: string,
    fields: Fields,
  ): Promise<void> {
    const sent = envelope12(operation, fields, undefined, ns);
    const r = await post12(`${server.base}${endpoint}`, sent, `${ns}/${operation}`);
    statuses[label] = r.status;
    docs.set(`${label} request`, [ns, payload12(sent, false, ns)]);
    const fault = r.status !== 200;
    docs.set(`${label} ${fault ? 'fault detail' : 'response'}`, [ns, payload12(r.text, fault, ns)]);
  }

  async function validate(label: string, ns: string, xml: string): Promise<Run> {
    const file = join(dir, `${label.replace(/[^\w-]+/g, '_')}.xml`);
    writeFileSync(file, xml);
    return xmllint(['--noout', '--schema', xsd[ns], file]);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ipcd-interop-xsd12-'));
    for (const [ns, file] of [
      [NS, 'ipcd.wsdl'],
      [ADMIN_NS, 'ipcd-admin.wsdl'],
    ]) {
      xsd[ns] = join(dir, file.replace('.wsdl', '.xsd'));
      await extractSchema(join(WSDL_DIR, file), xsd[ns]);
    }
    ts = await openTestStore('postgres');
    await loadExampleTopology(ts.store);
    server = await startServer(ts.store);

    const where = { dataCenter: 'dc1', vlan: 100 };
    await exchange('CommissionIP', '/ipcd', NS, 'CommissionIP', {
      ...where,
      serverInstance: 'vm-x12',
      wantName: true,
      hostnameHint: 'web-12',
      addressFamily: 'IPv4',
    });
    await exchange('NameOnly', '/ipcd', NS, 'NameOnly', { ...where, serverInstance: 'vm-x12-2' });
    await exchange('ListAllocations', '/ipcd', NS, 'ListAllocations', { ...where, pageSize: 10 });
    await exchange('DecommissionIP', '/ipcd', NS, 'DecommissionIP', { ...where, serverInstance: 'vm-x12' });
    await exchange('CommissionIP unknown VLAN', '/ipcd', NS, 'CommissionIP', { vlan: 999, serverInstance: 'vm-x12' });
    await exchange('CommissionIPBatch', '/ipcd', NS, 'CommissionIPBatch', {
      CommissionIP: [
        { ...where, serverInstance: 'vm-x12-b1' },
        { vlan: 999, serverInstance: 'vm-x12-b2' },
      ],
    });
    await exchange('DecommissionIPBatch', '/ipcd', NS, 'DecommissionIPBatch', {
      DecommissionIP: [{ ...where, serverInstance: 'vm-x12-b1' }],
    });
    await exchange('ListDataCenters', '/ipcd-admin', ADMIN_NS, 'ListDataCenters', {});
    await exchange('RemoveDataCenter unknown', '/ipcd-admin', ADMIN_NS, 'RemoveDataCenter', { name: 'dc-none' });
  }, 240_000);

  afterAll(async () => {
    await server?.close();
    await ts?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the exchanges went as expected (SOAP 1.2: a Sender fault is HTTP 400)', () => {
    expect(statuses).toEqual({
      CommissionIP: 200,
      NameOnly: 200,
      ListAllocations: 200,
      DecommissionIP: 200,
      'CommissionIP unknown VLAN': 400,
      CommissionIPBatch: 200,
      DecommissionIPBatch: 200,
      ListDataCenters: 200,
      'RemoveDataCenter unknown': 400,
    });
    expect(docs.size).toBe(18);
    // The batch's second item is refused inside a 200 answer: its result carries the IpcdFault.
    expect(docs.get('CommissionIPBatch response')![1]).toMatch(/UNKNOWN_VLAN/);
  });

  test("every recorded SOAP 1.2 payload validates against its WSDL's schema", async () => {
    for (const [label, [ns, doc]] of docs) {
      const r = await validate(label, ns, doc);
      if (r.code !== 0) throw new Error(`xmllint rejected the ${label} (exit ${r.code}):\n${r.stderr}\n${doc}`);
      expect(r.stderr).toMatch(/validates/);
    }
  });

  test('xmllint rejects a recorded payload made invalid', async () => {
    const [ns, doc] = docs.get('CommissionIP unknown VLAN fault detail')!;
    const r = await validate('invalid fault', ns, doc.replace('UNKNOWN_VLAN', 'NO_SUCH_CODE'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/enumeration/);
  });
});
