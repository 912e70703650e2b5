/**
 * The contract module (src/contract/generated) against the WSDLs it is generated from: regenerated
 * in memory, it must equal the committed files, text and data; a changed WSDL must show up as a
 * difference (drift is caught), while new bindings, ports, SOAP 1.2 and WS-Policy elements must
 * not change it. Then the two sides' use of it: the client's codec and the server's reply order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { emit, generateAll, modelOf, readContract, SOURCES } from '../../scripts/gen-contract';
import { COMMISSIONING, MANAGEMENT } from '../../src/api/contract';
import { inOrder } from '../../src/api/reply';
import { decode, encode } from '../../src/client/codec';
import { parseXml } from '../../src/client/soap';
import { commissioning, FAULT_CODES, management, type ContractModel } from '../../src/contract';
import { FAULT_CODES as LOGIC_FAULT_CODES } from '../../src/logic/core/errors';

const ROOT = join(__dirname, '..', '..');
const GENERATED: Record<string, ContractModel> = {
  commissioning: commissioning.CONTRACT,
  management: management.CONTRACT,
};
const wsdlText = (file: string) => readFileSync(join(ROOT, 'wsdl', file), 'utf8');
const generate = (text: string, file = 'ipcd.wsdl') =>
  emit(readContract(text, join(ROOT, 'wsdl', file)), `wsdl/${file}`);

describe('the generated module is the WSDL', () => {
  test.each(generateAll(ROOT).map((g) => [g.path.slice(ROOT.length + 1), g.text]))(
    '%s is current (regenerated in memory, compared as text)',
    (path, text) => {
      // Fails after a WSDL change that was not followed by `npm run build` (which regenerates it).
      expect(readFileSync(join(ROOT, path), 'utf8')).toBe(text);
    },
  );

  test.each(SOURCES.map((s) => [s.wsdl, s.module]))(
    '%s: its CONTRACT data equals what the WSDL says',
    (wsdl, module) => {
      expect(GENERATED[module]).toEqual(modelOf(readContract(wsdlText(wsdl), join(ROOT, 'wsdl', wsdl))));
    },
  );

  test('the server serves the operations of the module, in the portType order', () => {
    expect(COMMISSIONING.operations).toEqual([
      'CommissionIP',
      'DecommissionIP',
      'NameOnly',
      'ListAllocations',
      'CommissionIPBatch',
      'DecommissionIPBatch',
    ]);
    const portType = wsdlText('ipcd-admin.wsdl').split('<wsdl:portType')[1].split('</wsdl:portType>')[0];
    expect(MANAGEMENT.operations).toEqual([...portType.matchAll(/<wsdl:operation name="(\w+)"/g)].map((m) => m[1]));
    expect(COMMISSIONING.ns).toBe(commissioning.NS);
  });

  test('one set of fault codes: both WSDLs and the logic', () => {
    expect([...management.FaultCode]).toEqual([...commissioning.FaultCode]);
    expect(new Set(LOGIC_FAULT_CODES)).toEqual(new Set(FAULT_CODES));
  });
});

test('the client depends on the contract alone, and the contract on nothing of ipcd', () => {
  const imports = (dir: string) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [...readFileSync(join(ROOT, dir, f), 'utf8').matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)].map((m) =>
          relative(ROOT, resolve(ROOT, dir, dirname(f), m[1])),
        ),
      );
  expect(imports('src/client').filter((p) => !/^src[\\/](client|contract)([\\/]|$)/.test(p))).toEqual([]);
  expect(imports('src/contract').filter((p) => !/^src[\\/]contract([\\/]|$)/.test(p))).toEqual([]);
});

describe('drift is caught', () => {
  const original = wsdlText('ipcd.wsdl');
  const committed = readFileSync(join(ROOT, 'src', 'contract', 'generated', 'commissioning.ts'), 'utf8');
  const edited = (from: string, to: string) => {
    expect(original).toContain(from);
    return generate(original.replace(from, to));
  };

  test('swapped elements: the element order differs', () => {
    const from =
      '<xsd:element name="vlan" type="tns:VlanId"/>\n            <xsd:element name="serverInstance" type="tns:ServerInstance"/>';
    const to =
      '<xsd:element name="serverInstance" type="tns:ServerInstance"/>\n            <xsd:element name="vlan" type="tns:VlanId"/>';
    expect(edited(from, to)).not.toBe(committed);
    const swapped = modelOf(readContract(original.replace(from, to), 'ipcd.wsdl')).types.CommissionIP.map(
      (f) => f.name,
    );
    expect(swapped.slice(0, 3)).toEqual(['dataCenter', 'serverInstance', 'vlan']);
    expect(commissioning.CONTRACT.types.CommissionIP.map((f) => f.name).slice(0, 3)).toEqual([
      'dataCenter',
      'vlan',
      'serverInstance',
    ]);
  });

  test('a fault code added, an occurrence or a default changed: each shows', () => {
    expect(
      edited(
        '<xsd:enumeration value="INTERNAL"/>',
        '<xsd:enumeration value="INTERNAL"/><xsd:enumeration value="RATE_LIMITED"/>',
      ),
    ).toContain("'RATE_LIMITED'");
    expect(
      edited(
        '<xsd:element name="vlan" type="tns:VlanId"/>',
        '<xsd:element name="vlan" type="tns:VlanId" minOccurs="0"/>',
      ),
    ).not.toBe(committed);
    expect(edited('default="IPv4"', 'default="IPv6"')).toContain("default: 'IPv6'");
    expect(edited('<xsd:maxInclusive value="4094"/>', '<xsd:maxInclusive value="4095"/>')).toContain(
      "maxInclusive: '4095'",
    );
  });

  test('new bindings, ports, SOAP 1.2 and WS-Policy change nothing', () => {
    const policy =
      '<wsp:Policy xmlns:wsp="http://www.w3.org/ns/ws-policy" xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702" wsu:Id="UsernameToken" ' +
      'xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><sp:SupportingTokens><wsp:Policy><sp:UsernameToken/></wsp:Policy></sp:SupportingTokens></wsp:Policy>';
    const soap12 =
      '<wsdl:binding name="IpcdSoap12Binding" type="tns:IpcdPortType" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/">' +
      '<wsp:PolicyReference xmlns:wsp="http://www.w3.org/ns/ws-policy" URI="#UsernameToken"/>' +
      '<soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>' +
      '<wsdl:operation name="CommissionIP"><soap12:operation soapAction="x"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>' +
      '</wsdl:binding>';
    const port =
      '<wsdl:port name="IpcdSoap12Port" binding="tns:IpcdSoap12Binding"><soap12:address xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" location="http://localhost:8080/ipcd"/></wsdl:port>';
    const text = original
      .replace('<wsdl:types>', `${policy}\n  <wsdl:types>`)
      .replace('<wsdl:service name="IpcdService">', `${soap12}\n  <wsdl:service name="IpcdService">`)
      .replace('</wsdl:service>', `${port}</wsdl:service>`)
      .replace(
        '<wsdl:input message="tns:CommissionIPRequest"/>',
        '<wsdl:input message="tns:CommissionIPRequest" wsaw:Action="urn:x" xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"/>',
      );
    expect(generate(text)).toBe(committed);
  });

  test('a schema construct the generator does not know fails it, naming the place', () => {
    const choice = original.replace(
      '<xsd:element name="NameOnly">\n        <xsd:complexType>\n          <xsd:sequence>',
      '<xsd:element name="NameOnly">\n        <xsd:complexType>\n          <xsd:choice>',
    );
    expect(() =>
      generate(
        choice.replace(
          '</xsd:sequence>\n        </xsd:complexType>\n      </xsd:element>\n      <xsd:element name="NameOnlyResponse">',
          '</xsd:choice>\n        </xsd:complexType>\n      </xsd:element>\n      <xsd:element name="NameOnlyResponse">',
        ),
      ),
    ).toThrow(/NameOnly uses xsd:choice/);
    expect(() => generate(original.replace('type="tns:VlanId"/>', 'type="tns:NoSuchType"/>'))).toThrow(
      /NoSuchType is not defined/,
    );
    expect(() =>
      generate(
        original.replace(
          '<wsdl:part name="parameters" element="tns:NameOnly"/>',
          '<wsdl:part name="parameters" type="xsd:string"/>',
        ),
      ),
    ).toThrow(/document\/literal/);
  });

  test("an element ref takes the global element's type; a choice in a sequence is each alternative, optional", () => {
    const m = readContract(original, 'ipcd.wsdl');
    expect(m.types.get('CommissionIPBatch')!.map(({ doc: _d, ...f }) => f)).toEqual([
      { name: 'atomic', type: 'xsd:boolean', min: 0, max: 1, default: 'false' },
      { name: 'CommissionIP', type: 'CommissionIP', min: 1, max: 1000 },
    ]);
    expect(m.types.get('CommissionIPBatchResult')!.map(({ doc: _d, ...f }) => f)).toEqual([
      { name: 'item', type: 'xsd:int', min: 1, max: 1 },
      { name: 'CommissionIPResponse', type: 'CommissionIPResponse', min: 0, max: 1 },
      { name: 'IpcdFault', type: 'IpcdFault', min: 0, max: 1 },
    ]);
    expect(() =>
      generate(
        original.replace(
          '<xsd:element ref="tns:CommissionIP" maxOccurs="1000"/>',
          '<xsd:element ref="tns:NoSuchElement"/>',
        ),
      ),
    ).toThrow(/ref:NoSuchElement is not defined/);
    expect(() =>
      generate(
        original.replace(
          '<xsd:element ref="tns:CommissionIPResponse"/>',
          '<xsd:element ref="tns:CommissionIPResponse" minOccurs="0"/>',
        ),
      ),
    ).toThrow(/choice alternative with occurrences/);
  });

  test('an xsd:include is read relative to the WSDL', () => {
    const included = original.match(/<xsd:simpleType name="Intent">[\s\S]*?<\/xsd:simpleType>/)![0];
    const text = original.replace(included, '<xsd:include schemaLocation="parts/intent.xsd"/>');
    const files: string[] = [];
    const load = (path: string) => {
      files.push(path);
      return `<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="${commissioning.NS}" elementFormDefault="qualified">${included}</xsd:schema>`;
    };
    const model = modelOf(readContract(text, join(ROOT, 'wsdl', 'ipcd.wsdl'), load));
    expect(files).toEqual([join(ROOT, 'wsdl', 'parts', 'intent.xsd')]);
    expect(model).toEqual(commissioning.CONTRACT);
  });
});

describe('both sides walk it', () => {
  const C = commissioning.CONTRACT;
  const M = management.CONTRACT;

  test('the client writes a request in the schema order, nested and repeated elements included', () => {
    expect(
      encode(C, 'CommissionIP', {
        addressFamily: 'IPv6',
        serverInstance: 'vm<1>',
        vlan: 100,
        wantName: true,
        other: 'left out',
      }),
    ).toBe(
      '<ipcd:vlan>100</ipcd:vlan><ipcd:serverInstance>vm&lt;1&gt;</ipcd:serverInstance><ipcd:wantName>true</ipcd:wantName><ipcd:addressFamily>IPv6</ipcd:addressFamily>',
    );
    expect(
      encode(M, 'AddUser', {
        grant: [{ tenant: 't1' }, { dataCenter: 'dc1' }],
        role: 'orchestrator',
        password: 'p',
        username: 'u',
      }),
    ).toBe(
      '<ipcd:username>u</ipcd:username><ipcd:password>p</ipcd:password><ipcd:role>orchestrator</ipcd:role>' +
        '<ipcd:grant><ipcd:tenant>t1</ipcd:tenant></ipcd:grant><ipcd:grant><ipcd:dataCenter>dc1</ipcd:dataCenter></ipcd:grant>',
    );
    expect(encode(M, 'TenantUsage', { from: new Date('2026-11-01T10:00:00Z'), to: '2026-11-02' })).toBe(
      '<ipcd:from>2026-11-01</ipcd:from><ipcd:to>2026-11-02</ipcd:to>',
    );
    expect(() => encode(C, 'CommissionIP', { vlan: 1.5 })).toThrow(RangeError);
  });

  test('the client reads a reply by the contract: typed values, enumerations and required elements checked', () => {
    const bad = (node: { name: string }, what: string) => new Error(`${node.name} ${what}`);
    const reply = (body: string) =>
      parseXml(`<r:ListAllocationsResponse xmlns:r="${C.ns}">${body}</r:ListAllocationsResponse>`);
    const row = (intent: string, createdAt = '2026-01-02T03:04:05Z') =>
      `<r:allocation><r:allocationId>a</r:allocationId><r:dataCenter>dc1</r:dataCenter><r:vlan> 7 </r:vlan><r:network>n</r:network><r:serverInstance>s</r:serverInstance>` +
      `<r:intent>${intent}</r:intent><r:createdAt>${createdAt}</r:createdAt><r:dns><r:state>NONE</r:state></r:dns><r:future>ignored</r:future></r:allocation>`;
    expect(decode(C, 'ListAllocationsResponse', reply(row('IPv4') + '<r:nextPage>x</r:nextPage>'), C.ns, bad)).toEqual({
      allocation: [
        {
          allocationId: 'a',
          dataCenter: 'dc1',
          vlan: 7,
          network: 'n',
          serverInstance: 's',
          intent: 'IPv4',
          createdAt: new Date('2026-01-02T03:04:05Z'),
          dns: { state: 'NONE' },
        },
      ],
      nextPage: 'x',
    });
    expect(() => decode(C, 'ListAllocationsResponse', reply(row('IPv5')), C.ns, bad)).toThrow(
      "allocation has intent 'IPv5', not one of IPv4, IPv6, NAME",
    );
    expect(() => decode(C, 'ListAllocationsResponse', reply(row('NAME', 'yesterday')), C.ns, bad)).toThrow(
      /createdAt 'yesterday', not a date and time/,
    );
    expect(() =>
      decode(C, 'ListAllocationsResponse', reply(row('NAME').replace('<r:network>n</r:network>', '')), C.ns, bad),
    ).toThrow('allocation lacks network');
    const counts = parseXml(
      `<t xmlns="${M.ns}"><tenant>t</tenant><family>IPv6</family><networks>1</networks><assignable>18446744073709551614</assignable><used>0</used><free>-1</free><percentUsed>0.00</percentUsed></t>`,
    );
    expect(() => decode(M, 'TenantTotals', counts, M.ns, bad)).toThrow(/free '-1', not matching the pattern/);
  });

  test('the server answers in the schema order; an element the contract lacks, or a required one missing, is a bug', () => {
    const answer = {
      existing: false,
      fqdn: null,
      allocationId: 'a',
      network: 'n',
      dataCenter: 'dc1',
      vlan: 100,
      address: '10.0.0.2',
    };
    expect(Object.keys(inOrder(C, 'CommissionIPResponse', answer))).toEqual([
      'allocationId',
      'network',
      'dataCenter',
      'vlan',
      'address',
      'existing',
    ]);
    expect(
      inOrder(M, 'ListUsersResponse', {
        user: [{ disabled: false, grant: [{ tenant: 't' }], role: 'admin', username: 'u' }],
      }),
    ).toEqual({
      user: [{ username: 'u', role: 'admin', grant: [{ tenant: 't' }], disabled: false }],
    });
    expect(() => inOrder(C, 'CommissionIPResponse', { ...answer, colour: 'red' })).toThrow(/no element colour/);
    expect(() => inOrder(C, 'CommissionIPResponse', { ...answer, network: null })).toThrow(
      /lacks its required element network/,
    );
  });
});
