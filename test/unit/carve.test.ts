import { lowestFreeChild } from '../../src/logic/topology/carve';
import { parseCidr } from '../../src/logic/core/ip';

const c = parseCidr;
const carve = (container: string, used: string[], len: number) =>
  lowestFreeChild(c(container), used.map(c), len)?.text ?? null;

describe('lowestFreeChild', () => {
  it('takes the first child of an empty container', () => {
    expect(carve('10.20.0.0/16', [], 24)).toBe('10.20.0.0/24');
  });
  it('skips used prefixes of any size and keeps alignment', () => {
    expect(carve('10.20.0.0/16', ['10.20.0.0/26'], 24)).toBe('10.20.1.0/24');
    expect(carve('10.20.0.0/16', ['10.20.0.0/24', '10.20.1.128/25'], 24)).toBe('10.20.2.0/24');
    expect(carve('10.20.0.0/16', ['10.20.0.0/24', '10.20.2.0/24'], 24)).toBe('10.20.1.0/24');
    expect(carve('10.20.0.0/16', ['10.20.0.0/24'], 23)).toBe('10.20.2.0/23');
  });
  it('fills a gap left between used prefixes before going higher', () => {
    expect(carve('10.0.0.0/24', ['10.0.0.0/26', '10.0.0.128/25'], 26)).toBe('10.0.0.64/26');
    expect(carve('10.0.0.0/24', ['10.0.0.64/26'], 26)).toBe('10.0.0.0/26');
  });
  it('ignores prefixes outside the container and of the other family', () => {
    expect(carve('10.0.0.0/24', ['10.0.1.0/24', '2001:db8::/64', '9.255.255.0/24'], 25)).toBe('10.0.0.0/25');
  });
  it('counts a prefix wider than the container as using all of it', () => {
    expect(carve('10.0.0.0/24', ['10.0.0.0/16'], 26)).toBeNull();
  });
  it('answers null when the container is full', () => {
    expect(carve('10.0.0.0/24', ['10.0.0.0/25', '10.0.0.128/25'], 25)).toBeNull();
    expect(carve('10.0.0.0/24', ['10.0.0.0/25', '10.0.0.192/26'], 25)).toBeNull();
    expect(carve('10.0.0.0/24', ['10.0.0.0/25', '10.0.0.192/26'], 26)).toBe('10.0.0.128/26');
  });
  it('carves IPv6 /64s from a /48 without enumerating children', () => {
    const used = ['2001:db8:5::/64', '2001:db8:5:1::/64', '2001:db8:5:3::/64'];
    expect(carve('2001:db8:5::/48', used, 64)).toBe('2001:db8:5:2::/64');
    // The last child of a /48: 65,535 children below it are used as one /49 and the rest.
    const nearlyFull = [
      '2001:db8:5::/49',
      '2001:db8:5:8000::/50',
      '2001:db8:5:c000::/51',
      '2001:db8:5:e000::/52',
      '2001:db8:5:f000::/53',
      '2001:db8:5:f800::/54',
      '2001:db8:5:fc00::/55',
      '2001:db8:5:fe00::/56',
      '2001:db8:5:ff00::/57',
      '2001:db8:5:ff80::/58',
      '2001:db8:5:ffc0::/59',
      '2001:db8:5:ffe0::/60',
      '2001:db8:5:fff0::/61',
      '2001:db8:5:fff8::/62',
      '2001:db8:5:fffc::/63',
      '2001:db8:5:fffe::/64',
    ];
    expect(carve('2001:db8:5::/48', nearlyFull, 64)).toBe('2001:db8:5:ffff::/64');
    expect(carve('2001:db8:5::/48', [...nearlyFull, '2001:db8:5:ffff::/64'], 64)).toBeNull();
  });
  it('refuses a prefix length outside the container', () => {
    expect(() => carve('10.0.0.0/24', [], 23)).toThrow(/does not fit container 10.0.0.0\/24/);
    expect(() => carve('10.0.0.0/24', [], 33)).toThrow(/expected \/24 to \/32/);
  });
});
