/**
 * The commissioning service's one-parse path: the guard hands the handlers the args node-soap
 * handed them (recorded from node-soap 1.13 for these inputs), and envelope.ts writes replies a
 * parser reads back exactly.
 */
import { COMMISSIONING } from '../../src/api/contract';
import { responseEnvelope } from '../../src/api/envelope';
import { inspectEnvelope } from '../../src/api/guard';
import { readReply } from '../support/soap';

const NS = COMMISSIONING.ns;
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const argsOf = (inner: string) =>
  inspectEnvelope(
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="${NS}"><s:Body><i:CommissionIP>${inner}</i:CommissionIP></s:Body></s:Envelope>`,
    undefined,
    COMMISSIONING,
  ).args;

test.each([
  ['<i:vlan>100</i:vlan><i:serverInstance>vm-1</i:serverInstance>', { vlan: '100', serverInstance: 'vm-1' }],
  ['<i:vlan>  100 \n</i:vlan><i:serverInstance> vm 1 </i:serverInstance>', { vlan: '100', serverInstance: 'vm 1' }],
  [
    '<i:vlan/><i:serverInstance></i:serverInstance><i:wantAddress>  </i:wantAddress>',
    { vlan: null, serverInstance: null, wantAddress: null },
  ],
  ['<i:vlan>1</i:vlan><i:vlan>2</i:vlan><i:vlan>3</i:vlan>', { vlan: ['1', '2', '3'] }],
  [
    '<i:serverInstance>a&amp;b&lt;</i:serverInstance><i:hostnameHint><![CDATA[x<y]]></i:hostnameHint>',
    { serverInstance: 'a&b<', hostnameHint: 'x<y' },
  ],
  [
    '<i:serverInstance>a<!-- c -->b</i:serverInstance><i:vlan> a <![CDATA[ 7 ]]> b </i:vlan>',
    { serverInstance: 'ab', vlan: 'a7b' },
  ],
  ['<i:bogus>1</i:bogus><i:vlan><i:n>1</i:n><i:n/></i:vlan>', { bogus: '1', vlan: { n: ['1', null] } }],
  [`<i:vlan xmlns:xsi="${XSI}" xsi:nil="true"/>`, { vlan: null }],
  [' ', {}],
])('args of %s', (inner, args) => {
  expect(argsOf(inner)).toEqual(args);
});

test('a parameter with an attribute of its own is refused', () => {
  expect(() => argsOf('<i:vlan xmlns:x="urn:x" x:unit="1">100</i:vlan>')).toThrow(/attribute unit/);
});

test('the reply: key order, repeats, nesting, booleans, escaping, absent values left out', () => {
  const odd = 'vm <&> "q" \'s\' ]]> \r\n\t end';
  const xml = responseEnvelope(
    'ListAllocations',
    { allocation: [{ allocationId: odd, vlan: 7, dns: { state: 'ok' } }, { existing: false }], nextPage: null },
    NS,
  );
  expect(xml).not.toMatch(/xmlns:tns|jaxws/);
  const r = readReply(200, xml);
  expect(r.body.name).toBe('ListAllocationsResponse');
  expect(r.body.uri).toBe(NS);
  const [a, b] = r.body.children;
  expect(r.body.children.map((c) => c.name)).toEqual(['allocation', 'allocation']);
  expect(a.children.map((c) => [c.name, c.uri, c.text])).toEqual([
    ['allocationId', NS, odd],
    ['vlan', NS, '7'],
    ['dns', NS, ''],
  ]);
  expect(a.children[2].children[0]).toMatchObject({ name: 'state', text: 'ok' });
  expect(b.children[0]).toMatchObject({ name: 'existing', text: 'false' });
});
