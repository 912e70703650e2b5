/**
 * Carving the next free network out of a container: the lowest aligned child prefix of the asked
 * length that overlaps nothing already in the container. Works on the used prefixes, never on the
 * children, so a /48 carved into /64s costs the same as a /24 carved into /28s.
 */
import { bitsOf, formatAddress, lastAddress, type Cidr } from '../core/ip';
import { invalid } from '../core/errors';

export function lowestFreeChild(container: Cidr, used: Cidr[], prefixLength: number): Cidr | null {
  const bits = bitsOf(container.family);
  if (!Number.isInteger(prefixLength) || prefixLength < container.prefixLength || prefixLength > bits) {
    throw invalid(
      `prefix length /${prefixLength} does not fit container ${container.text}: ` +
        `expected /${container.prefixLength} to /${bits}`,
    );
  }
  const step = 1n << BigInt(bits - prefixLength);
  const end = lastAddress(container);
  const taken = used
    .filter((u) => u.family === container.family && lastAddress(u) >= container.network && u.network <= end)
    .sort((a, b) => (a.network < b.network ? -1 : a.network > b.network ? 1 : 0));
  let candidate = container.network;
  for (const u of taken) {
    if (candidate + step - 1n < u.network) break;
    const after = lastAddress(u) + 1n;
    // Next aligned start at or after the end of this used prefix.
    if (after > candidate) candidate = ((after + step - 1n) / step) * step;
  }
  if (candidate + step - 1n > end) return null;
  return {
    family: container.family,
    network: candidate,
    prefixLength,
    text: `${formatAddress(container.family, candidate)}/${prefixLength}`,
  };
}
