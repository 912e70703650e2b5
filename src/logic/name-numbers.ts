/**
 * Generated names take their number from the zone's sequence. A process reserves numbers in
 * blocks (one UPDATE per block, not per name), so concurrent commissions in one zone do not
 * queue on the zone's row. Names stay unique (the database's index decides); numbers are
 * increasing within a process but not gap-free: a restart skips the rest of its block, and two
 * processes interleave their blocks.
 */
import type { Allocator } from './allocator-port';

export const NAME_BLOCK = 32;

export class NameNumbers {
  private readonly blocks = new Map<number, { next: bigint; end: bigint; refill?: Promise<void> }>();

  constructor(
    private readonly source: Pick<Allocator, 'reserveNameNumbers'>,
    private readonly blockSize = NAME_BLOCK,
  ) {}

  async next(zoneId: number): Promise<bigint> {
    for (;;) {
      let b = this.blocks.get(zoneId);
      if (!b) this.blocks.set(zoneId, (b = { next: 0n, end: 0n }));
      if (b.next < b.end) return b.next++;
      const block = b;
      block.refill ??= this.source
        .reserveNameNumbers(zoneId, this.blockSize)
        .then((first) => {
          block.next = first;
          block.end = first + BigInt(this.blockSize);
        })
        .finally(() => {
          block.refill = undefined;
        });
      await block.refill;
    }
  }

  /** Forgets reserved numbers (a zone removed, or an import rewrote the sequences). */
  clear(): void {
    this.blocks.clear();
  }
}
