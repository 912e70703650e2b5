import { checkNamePattern, renderName } from '../../src/logic/allocation/names';
import * as v from '../../src/logic/core/validate';
import { IpcdError } from '../../src/logic/core/errors';

describe('generated names', () => {
  test('pads the sequence number', () => {
    expect(renderName('vm-{seq:6}', 42n)).toBe('vm-000042');
    expect(renderName('web{seq}', 7n)).toBe('web7');
  });
  test('a pattern must have exactly one sequence mark and render a DNS label', () => {
    expect(() => checkNamePattern('vm')).toThrow(IpcdError);
    expect(() => checkNamePattern('{seq}-{seq}')).toThrow(IpcdError);
    expect(() => checkNamePattern('vm_{seq}')).toThrow(IpcdError);
    expect(checkNamePattern('db-{seq:4}')).toBe('db-{seq:4}');
  });
});

describe('field validation', () => {
  test.each([1, 4094, '100', ' 7 '])('VLAN %p is accepted', (x) => expect(v.vlanId(x)).toBe(Number(x)));
  test.each([0, 4095, -1, '12abc', '1.5', 'abc', '', NaN, {}])('VLAN %p is refused', (x) =>
    expect(() => v.vlanId(x)).toThrow(IpcdError),
  );
  test('booleans are strict', () => {
    expect(v.bool('true', 'f')).toBe(true);
    expect(v.bool('0', 'f')).toBe(false);
    for (const bad of ['yes', '', undefined, null]) expect(() => v.bool(bad, 'f')).toThrow(/true or false/);
  });
  test('host labels fold to lower case and follow RFC 1123', () => {
    expect(v.hostLabel('Web01')).toBe('web01');
    for (const bad of ['-a', 'a-', 'a.b', 'a_b', 'x'.repeat(64), '']) expect(() => v.hostLabel(bad)).toThrow(IpcdError);
  });
  test('zone names lose the root dot and fold case', () => {
    expect(v.zoneName('DC1.Example.com.')).toBe('dc1.example.com');
    expect(() => v.zoneName('a..b')).toThrow(IpcdError);
  });
  test('addresses are canonicalised', () => {
    expect(v.ipAddress('2001:DB8:0::1')).toBe('2001:db8::1');
    expect(() => v.ipAddress('10.0.0.300')).toThrow(/IPv4 or IPv6/);
  });
  test('messages quote the offending value, shortened', () => {
    expect(() => v.serverInstance('x'.repeat(300))).toThrow(/…/);
  });
});
