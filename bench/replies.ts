/**
 * Every reply is checked, and a wrong one is an error with a code, counted like a fault: an
 * address outside the VLAN's network (or one the fill already holds), an address handed out
 * twice while held, a missing name, a release that released nothing. The run prints its figures
 * and then fails (exit 1) if any point counted one: numbers are never judged, replies are.
 */
import { contains, parseAddress, parseCidr, type Cidr } from '../src/logic/core/ip';
import type { Reply } from './soap-client';

export class WrongReply extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The reply's fields, or its fault as an error carrying the fault code. */
export function ok(r: Reply, what: string): Record<string, string> {
  if (r.fault) throw new WrongReply(r.fault.code, `${what}: fault ${r.fault.code}: ${r.fault.message}`);
  return r.values;
}

/** Error code for the per-code counts: the fault/wrong-reply code, a socket error code, or the message. */
export const codeOf = (e: unknown): string =>
  (e as { code?: string }).code ?? String((e as Error)?.message ?? e).slice(0, 80);

export class ErrorCounts {
  readonly byCode: Record<string, number> = {};
  total = 0;

  add(e: unknown): void {
    const code = codeOf(e);
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    this.total++;
    // Beyond this the server is broken, not slow: stop here, loudly.
    if (this.total > 100) throw new Error(`too many errors: ${JSON.stringify(this.byCode)}`);
  }
}

/** Which network each VLAN's addresses must come from, and which addresses are held right now. */
export class AddressBook {
  private readonly networks = new Map<number, { cidr: Cidr; firstFree: bigint }>();
  private readonly held = new Set<string>();

  /** Addresses below `firstFree` are held by a bulk fill: handing one out is wrong. */
  expect(vlan: number, cidr: string, firstFree = 0n): this {
    this.networks.set(vlan, { cidr: parseCidr(cidr), firstFree });
    return this;
  }

  /** Checks a CommissionIP reply and records its address as held. */
  commissioned(vlan: number, v: Record<string, string>, wantName: boolean): string {
    const address = v.address;
    if (!address)
      throw new WrongReply(
        'NO_ADDRESS_IN_REPLY',
        `CommissionIP on VLAN ${vlan} returned no address: ${JSON.stringify(v)}`,
      );
    if (wantName && !v.name)
      throw new WrongReply('NO_NAME_IN_REPLY', `CommissionIP on VLAN ${vlan} returned no name: ${JSON.stringify(v)}`);
    if (v.existing === 'true')
      throw new WrongReply(
        'EXISTING_FOR_NEW_INSTANCE',
        `CommissionIP for a new instance returned existing=true (${address})`,
      );
    const net = this.networks.get(vlan);
    const a = parseAddress(address);
    if (!net || !a || !contains(net.cidr, a.family, a.value) || a.value < net.firstFree) {
      throw new WrongReply(
        'WRONG_ADDRESS',
        `CommissionIP on VLAN ${vlan} returned ${address}, not a free address of ${net?.cidr.text ?? '?'}`,
      );
    }
    const key = `${vlan} ${a.value}`;
    if (this.held.has(key))
      throw new WrongReply(
        'DUPLICATE_ADDRESS',
        `CommissionIP on VLAN ${vlan} returned ${address}, which another instance holds`,
      );
    this.held.add(key);
    return address;
  }

  /**
   * Forgets the address as DecommissionIP is sent, not when it answers: once the server has
   * freed it, another client may be handed it, and that reply may arrive first.
   */
  releasing(vlan: number, address: string): void {
    this.held.delete(`${vlan} ${parseAddress(address)!.value}`);
  }

  /** Checks a DecommissionIP reply: exactly one allocation released. */
  released(vlan: number, address: string, v: Record<string, string>): void {
    if (v.releasedCount !== '1')
      throw new WrongReply(
        'WRONG_RELEASE_COUNT',
        `DecommissionIP of ${address} on VLAN ${vlan} released ${v.releasedCount}`,
      );
  }
}
