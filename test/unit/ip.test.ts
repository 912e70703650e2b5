import {
  assignableRanges,
  formatAddress,
  parseAddress,
  parseCidr,
  rangeSize,
  size,
  subtractPoints,
  cidrContains,
  subtractRanges,
  pointsToRanges,
  subnets,
  tiledParent,
} from '../../src/logic/core/ip';
import { IpcdError } from '../../src/logic/core/errors';
import { canonicalAddress } from '../../src/store/mapping';

describe('addresses', () => {
  test.each([
    ['10.0.0.1', 4, 0x0a000001n],
    ['255.255.255.255', 4, 0xffffffffn],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['2001:db8::1', 6, 0x20010db8000000000000000000000001n],
    ['2001:DB8:0:0:0:0:0:1', 6, 0x20010db8000000000000000000000001n],
    ['::ffff:10.0.0.1', 6, 0xffff0a000001n],
  ])('parses %s', (text, family, value) => {
    expect(parseAddress(text)).toEqual({ family, value });
  });

  test.each([
    '10.0.0',
    '10.0.0.256',
    '010.0.0.1',
    '1.2.3.4.5',
    '2001:db8:::1',
    '1::2::3',
    '12345::',
    'g::1',
    '',
    'abc',
    '1:2:3:4:5:6:7:8:9',
  ])('rejects %p', (text) => expect(parseAddress(text)).toBeNull());

  test.each([
    [6, 0x20010db8000000000000000000000001n, '2001:db8::1'],
    [6, 0x20010db8000000010000000000000000n, '2001:db8:0:1::'],
    [6, 0x20010db8000000000001000000000001n, '2001:db8::1:0:0:1'],
    [6, 0n, '::'],
    [6, 0x00010000000000000000000000000001n, '1::1'],
    [6, 0x20010db8000100000001000100010001n, '2001:db8:1:0:1:1:1:1'],
    [4, 0xc0a80001n, '192.168.0.1'],
  ] as const)('formats IPv%i %s canonically (RFC 5952)', (family, value, text) => {
    expect(formatAddress(family, value)).toBe(text);
  });
});

describe('parsing and formatting through ip-address: edge cases', () => {
  test.each([
    ['::ffff:10.0.0.1', 0xffff0a000001n, '::ffff:a00:1'],
    ['::1.2.3.4', 0x01020304n, '::102:304'],
    ['1:2:3:4:5:6:1.2.3.4', 0x00010002000300040005000601020304n, '1:2:3:4:5:6:102:304'],
    ['64:ff9b::192.0.2.33', 0x0064ff9b0000000000000000c0000221n, '64:ff9b::c000:221'],
  ])('IPv4-embedded %s stays IPv6 (never rewritten to IPv4)', (text, value, canonical) => {
    expect(parseAddress(text)).toEqual({ family: 6, value });
    expect(formatAddress(6, value)).toBe(canonical);
  });

  test('an IPv4-mapped prefix stays an IPv6 prefix', () => {
    expect(parseCidr('::ffff:10.0.0.0/120')).toMatchObject({ family: 6, prefixLength: 120, text: '::ffff:a00:0/120' });
  });

  test.each([
    ['2001:DB8::ABCD', '2001:db8::abcd'], // lower case
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'], // leading zeros dropped, longest run
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not compressed
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'], // nor when the input did
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longer run, not the first
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of equal runs
    ['0:0:0:0:0:0:0:0', '::'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
  ])('%s is written %s (RFC 5952)', (text, canonical) => {
    const a = parseAddress(text)!;
    expect(formatAddress(a.family, a.value)).toBe(canonical);
  });

  test.each([
    '10.0.0.1/24', // a prefix is not an address (ip-address takes it as one)
    '2001:db8::1/64',
    'fe80::1%eth0', // nor a zone id
    '[::1]',
    '10.0.0.1::', // a dotted quad only as the last 32 bits (RFC 4291 2.2)
    '::1.2.3',
    '::ffff:1.2.3.04',
    '1:2:3:4::5:6:7:8', // '::' standing for no group
    '1:2:3:4:5:6:7:1.2.3.4',
    ':1::2',
    '1::2:',
    '00001::',
    '10.0.0.1 10.0.0.2',
  ])('refuses %p', (text) => expect(parseAddress(text)).toBeNull());

  test('surrounding white space is ignored, as before', () => {
    expect(parseAddress(' 10.0.0.1\n')).toEqual({ family: 4, value: 0x0a000001n });
  });
});

describe('CIDRs', () => {
  test('canonicalises and sizes an IPv6 /64 without enumerating it', () => {
    const c = parseCidr('2001:DB8:0:10::/64');
    expect(c.text).toBe('2001:db8:0:10::/64');
    expect(size(c)).toBe(1n << 64n);
    expect(rangeSize(assignableRanges(c, c.network + 1n))).toBe((1n << 64n) - 2n);
  });

  test('refuses host bits and suggests the prefix', () => {
    expect(() => parseCidr('10.0.0.5/24')).toThrow(/did you mean 10\.0\.0\.0\/24/);
    expect(() => parseCidr('10.0.0.5/24')).toThrow(IpcdError);
  });

  test.each(['10.0.0.0', '10.0.0.0/33', '2001:db8::/129', 'x/24', '10.0.0.0/-1', '10.0.0.0/ 24'])('refuses %p', (t) => {
    expect(() => parseCidr(t)).toThrow(IpcdError);
  });

  test('a CIDR parsed again is the same frozen value; a refused one is refused again', () => {
    const a = parseCidr('2001:DB8:1::/48');
    expect(parseCidr('2001:DB8:1::/48')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => parseCidr('10.0.0.5/24')).toThrow(/did you mean/);
  });

  test('containment', () => {
    expect(cidrContains(parseCidr('10.0.0.0/16'), parseCidr('10.0.3.0/24'))).toBe(true);
    expect(cidrContains(parseCidr('10.0.3.0/24'), parseCidr('10.0.0.0/16'))).toBe(false);
    expect(cidrContains(parseCidr('10.0.0.0/16'), parseCidr('2001:db8::/64'))).toBe(false);
  });
});

describe('assignable ranges', () => {
  test('IPv4 /24 with the default gateway: .2 to .254, 253 addresses', () => {
    const c = parseCidr('10.0.0.0/24');
    const r = assignableRanges(c, c.network + 1n);
    expect(r).toEqual([{ first: c.network + 2n, last: c.network + 254n }]);
    expect(rangeSize(r)).toBe(253n);
  });

  test('a gateway in the middle splits the range; no gateway keeps it whole', () => {
    const c = parseCidr('10.0.0.0/29');
    expect(assignableRanges(c, c.network + 4n)).toEqual([
      { first: c.network + 1n, last: c.network + 3n },
      { first: c.network + 5n, last: c.network + 6n },
    ]);
    expect(rangeSize(assignableRanges(c, null))).toBe(6n);
  });

  test('IPv6 keeps the last address (no broadcast) and skips the subnet-router anycast address', () => {
    const c = parseCidr('2001:db8::/126');
    expect(assignableRanges(c, null)).toEqual([{ first: c.network + 1n, last: c.network + 3n }]);
  });

  test('subtractPoints ignores points outside and duplicates', () => {
    expect(subtractPoints({ first: 10n, last: 20n }, [5n, 10n, 10n, 15n, 20n, 25n])).toEqual([
      { first: 11n, last: 14n },
      { first: 16n, last: 19n },
    ]);
  });
});

describe('range arithmetic for management', () => {
  const r = (first: bigint, last: bigint) => ({ first, last });
  test('subtractRanges cuts holes, edges and whole ranges; order of input does not matter', () => {
    expect(subtractRanges([r(10n, 20n), r(1n, 5n)], [r(3n, 3n), r(10n, 12n), r(18n, 30n)])).toEqual([
      r(1n, 2n),
      r(4n, 5n),
      r(13n, 17n),
    ]);
    expect(subtractRanges([r(1n, 5n)], [r(0n, 9n)])).toEqual([]);
    expect(subtractRanges([r(1n, 5n)], [])).toEqual([r(1n, 5n)]);
  });
  test('pointsToRanges collapses runs and drops duplicates', () => {
    expect(pointsToRanges([5n, 3n, 4n, 9n, 4n, 11n, 10n])).toEqual([r(3n, 5n), r(9n, 11n)]);
  });
  test('subnets lists the children in order, also for IPv6', () => {
    expect(subnets(parseCidr('10.0.0.0/24'), 26).map((c) => c.text)).toEqual([
      '10.0.0.0/26',
      '10.0.0.64/26',
      '10.0.0.128/26',
      '10.0.0.192/26',
    ]);
    expect(subnets(parseCidr('2001:db8::/64'), 65).map((c) => c.text)).toEqual([
      '2001:db8::/65',
      '2001:db8:0:0:8000::/65',
    ]);
  });
  test('tiledParent accepts exactly-tiling siblings and refuses gaps, overlaps and misaligned sets', () => {
    const p = (...t: string[]) => tiledParent(t.map(parseCidr))?.text ?? null;
    expect(p('10.0.0.128/25', '10.0.0.0/25')).toBe('10.0.0.0/24');
    expect(p('10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/25')).toBe('10.0.0.0/24');
    expect(p('10.0.0.0/25', '10.0.1.0/25')).toBeNull(); // gap
    expect(p('10.0.0.128/25', '10.0.1.0/25')).toBeNull(); // adjacent but not one prefix
    expect(p('10.0.0.0/25', '10.0.0.0/26')).toBeNull(); // overlap
    expect(p('10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/26')).toBeNull(); // not a power of two
    expect(p('10.0.0.0/25', '2001:db8::/121')).toBeNull();
  });
});

describe("the store's canonical text for the database's addresses", () => {
  test('IPv4 as PostgreSQL writes it passes as is and equals what ip-address formats', () => {
    for (let i = 0; i < 20_000; i++) {
      const v = BigInt(Math.floor(Math.random() * 2 ** 32));
      const text = formatAddress(4, v);
      expect(canonicalAddress(text)).toBe(text);
    }
    expect(canonicalAddress('10.0.0.1/32')).toBe('10.0.0.1');
    expect(canonicalAddress('2001:DB8::1')).toBe('2001:db8::1');
    expect(() => canonicalAddress('010.0.0.1')).toThrow(/malformed/);
  });
});
