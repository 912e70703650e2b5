/**
 * The rule every network that takes address space obeys inside a container: a container is one
 * address plan, so within its prefix (in its data center) no two networks may overlap, whatever
 * their VLAN. Outside containers only networks on the same VLAN may not overlap (tenants reuse
 * 10/8 on their own VLANs). AddNetwork and AllocateNetwork both come through here, under the
 * container's row lock, the lock carvers take turns on: a network added by hand and a carve
 * never both see the same space as free.
 */
import { IpcdError } from '../core/errors';
import { parseCidr, type Cidr } from '../core/ip';
import type { DataCenter } from '../core/model';
import type { ContainerPort } from './container-port';

export async function claimContainerSpace(
  tx: { containers: ContainerPort },
  dc: DataCenter,
  cidr: Cidr,
): Promise<void> {
  // In prefix order, as every caller locks them, so two networks spanning several containers cannot deadlock.
  const containers = await tx.containers.overlappingContainers(dc.id, cidr.text);
  for (const c of containers) await tx.containers.lockContainer(c.id);
  for (const c of containers) {
    // Prefixes nest: the shared space is the smaller of the two.
    const shared = parseCidr(c.cidr).prefixLength >= cidr.prefixLength ? c.cidr : cidr.text;
    const [clash] = await tx.containers.networksInPrefix(dc.id, shared);
    if (clash) {
      throw new IpcdError(
        'CONFLICT',
        `${cidr.text} overlaps network ${clash.name} (${clash.cidr}, ${clash.vlan === null ? 'no VLAN' : `VLAN ${clash.vlan}`}) inside container ${c.name} (${c.cidr}) in data center ${dc.name}: networks inside a container may not overlap, whatever their VLAN`,
      );
    }
  }
}
