/**
 * An empty element is not an absent one. For every optional element of every operation of both
 * WSDLs, a request that differs from a schema-valid one only by that element being empty
 * (`<hostnameHint/>`) is judged by xmllint against the WSDL's own schema; where the schema refuses
 * it, ipcd must refuse it too, with INVALID_REQUEST — as a validating client expects. An empty
 * element with a schema default (`<wantAddress/>`) is valid and means that default (XML Schema
 * Part 1, Element Locally Valid 5.1), so ipcd reads it so.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMISSIONING, MANAGEMENT, type Contract } from '../../src/api/contract';
import { faultOf, ok, openAdminFixture, ROOT_USER, type AdminFixture } from '../support/admin';
import { BACKENDS } from '../support/backends';
import { ADMIN_NS, envelope, NS, type Fields } from '../support/soap';
import { elementChildren, extractSchema, parseTree, payload, xmllint, type Element } from '../support/xsd';

jest.setTimeout(180_000);

const XSD = 'http://www.w3.org/2001/XMLSchema';

/** A schema-valid request for each operation (its required elements, a few optional ones). */
const BASE: Record<string, Fields> = {
  CommissionIP: { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-base' },
  DecommissionIP: { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-none' },
  NameOnly: { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-name' },
  ListAllocations: {},
  CommissionIPBatch: { CommissionIP: { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-batch' } },
  DecommissionIPBatch: { DecommissionIP: { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-none' } },
  AddDataCenter: { name: 'dcb' },
  RemoveDataCenter: { name: 'no-dc' },
  AddTenant: { name: 'tb' },
  RemoveTenant: { name: 'no-tenant' },
  AddZone: { name: 'zb.test' },
  RemoveZone: { name: 'no-zone.test' },
  SetZoneDns: { zone: 'no-zone.test', server: '127.0.0.1', keyName: 'k', secret: 'c2VjcmV0c2VjcmV0c2VjcmV0' },
  ClearZoneDns: { zone: 'no-zone.test' },
  AddNetwork: { name: 'nb', cidr: '10.5.0.0/24', dataCenter: 'dc1' },
  EditNetwork: { network: 'no-net' },
  TagNetwork: { network: 'no-net' },
  RemoveNetwork: { network: 'no-net' },
  SplitNetwork: { network: 'no-net', prefixLength: 25 },
  MergeNetworks: { network: ['no-net-1', 'no-net-2'] },
  ReserveRange: { network: 'no-net', first: '10.0.0.5' },
  UnreserveRange: { network: 'no-net', id: '1' },
  ListReservations: { network: 'n1' },
  TenantUsage: { from: '2026-11-01', to: '2026-11-02' },
  AddUser: { username: 'ub', password: 'base-password-1', role: 'admin' },
  SetPassword: { username: 'no-user', password: 'base-password-1' },
  DisableUser: { username: 'no-user' },
  EnableUser: { username: 'no-user' },
  RemoveUser: { username: 'no-user' },
};

interface Case {
  contract: Contract;
  op: string;
  element: string;
  /** The base request with the element empty, in the schema's order. */
  fields: Fields;
  /** What the schema says of it. */
  schemaValid: boolean;
}

const nsOf = (c: Contract) => (c === COMMISSIONING ? NS : ADMIN_NS);
const attr = (e: Element, name: string) => e.attributes.find(([n]) => n === name)?.[1];

/** The elements of an operation's request sequence, in order, with whether each is optional. */
function sequenceOf(schema: Element, op: string): { name: string; optional: boolean }[] {
  const top = elementChildren(schema);
  const decl = top.find((e) => e.uri === XSD && e.local === 'element' && attr(e, 'name') === op)!;
  const named = attr(decl, 'type')?.replace(/^.*:/, '');
  const type = named
    ? top.find((e) => e.local === 'complexType' && attr(e, 'name') === named)
    : elementChildren(decl).find((e) => e.local === 'complexType');
  const sequence = type && elementChildren(type).find((e) => e.local === 'sequence');
  // A batch's items are references to the single operations' elements (ref="tns:CommissionIP").
  return (sequence ? elementChildren(sequence) : []).map((e) => ({
    name: attr(e, 'name') ?? attr(e, 'ref')!.replace(/^.*:/, ''),
    optional: attr(e, 'minOccurs') === '0',
  }));
}

let dir: string;
let cases: Case[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipcd-empty-'));
  cases = [];
  for (const contract of [COMMISSIONING, MANAGEMENT]) {
    const xsd = join(dir, `${contract.service}.xsd`);
    await extractSchema(contract.wsdlFile, xsd);
    const schema = parseTree(readFileSync(xsd, 'utf8'));
    for (const op of contract.operations) {
      const base = BASE[op] ?? {};
      const validate = async (fields: Fields, label: string) => {
        const file = join(dir, `${op}-${label}.xml`);
        writeFileSync(file, payload(envelope(op, fields, ROOT_USER, nsOf(contract)), false, nsOf(contract)));
        return (await xmllint(['--noout', '--schema', xsd, file])).code === 0;
      };
      if (!(await validate(base, 'base'))) throw new Error(`the test's base request for ${op} does not validate`);
      const sequence = sequenceOf(schema, op);
      for (const { name: element } of sequence.filter((e) => e.optional)) {
        const fields: Fields = {};
        for (const { name } of sequence)
          if (name === element) fields[name] = '';
          else if (base[name] !== undefined) fields[name] = base[name];
        cases.push({ contract, op, element, fields, schemaValid: await validate(fields, element) });
      }
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(BACKENDS)('empty optional elements on %s', (kind) => {
  let f: AdminFixture;
  beforeAll(async () => {
    f = await openAdminFixture(kind);
    ok(await f.admin('AddDataCenter', { name: 'dc1' }));
    ok(await f.admin('AddNetwork', { name: 'n1', cidr: '10.0.0.0/24', dataCenter: 'dc1', vlan: 100 }));
  });
  afterAll(() => f?.close());

  test('every optional element the schema refuses empty is refused with INVALID_REQUEST; the base request is not', async () => {
    const send = (c: Contract, op: string, fields: Fields) =>
      c === COMMISSIONING ? f.ipcd(op, fields) : f.admin(op, fields);
    const wrong: string[] = [];
    expect(cases.filter((c) => !c.schemaValid).map((c) => `${c.op}/${c.element}`)).toEqual(
      expect.arrayContaining([
        'CommissionIP/hostnameHint',
        'CommissionIP/dataCenter',
        'DecommissionIP/serverInstance',
        'AddNetwork/tenant',
      ]),
    );
    for (const c of cases.filter((x) => !x.schemaValid)) {
      const reply = await send(c.contract, c.op, c.fields);
      if (!reply.fault || reply.fault.code !== 'INVALID_REQUEST')
        wrong.push(`${c.op} <${c.element}/>: ${reply.fault?.code ?? 'accepted'}`);
    }
    expect(wrong).toEqual([]);
    // The same requests without the empty element are not malformed (so the refusals above are the element's).
    for (const op of new Set(cases.filter((x) => !x.schemaValid).map((x) => x.op))) {
      const contract = COMMISSIONING.operations.includes(op) ? COMMISSIONING : MANAGEMENT;
      const reply = await send(contract, op, BASE[op] ?? {});
      if (reply.fault) expect([op, faultOf(reply)]).not.toEqual([op, 'INVALID_REQUEST']);
    }
  });

  test('an empty element with a schema default means the default, as XML Schema reads it', async () => {
    const c = ok(
      await f.ipcd('CommissionIP', {
        dataCenter: 'dc1',
        vlan: 100,
        serverInstance: 'vm-defaults',
        wantAddress: '',
        wantName: '',
        addressFamily: '',
      }),
    );
    expect(c.values.address).toMatch(/^10\.0\.0\.\d+$/); // wantAddress true, IPv4
    expect(c.values.name).toBeUndefined(); // wantName false
    const d = ok(
      await f.ipcd('DecommissionIP', {
        dataCenter: 'dc1',
        vlan: 100,
        serverInstance: 'vm-defaults',
        releaseAddress: '',
        releaseName: '',
        reason: '',
      }),
    );
    expect(d.values.releasedCount).toBe('1');
    const released = ok(await f.admin('SearchAllocations', { serverInstance: 'vm-defaults', includeReleased: true }));
    expect(released.raw).toContain('<releaseReason>DELETED</releaseReason>');
  });
});
