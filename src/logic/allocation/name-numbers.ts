/**
 * Generated names take their number from the zone's sequence. A process reserves numbers in
 * blocks (one UPDATE per block, not per name), so concurrent commissions in one zone do not
 * queue on the zone's row. Names stay unique (the database's index decides); numbers are
 * increasing within a process but not gap-free: a restart skips the rest of its block, and two
 * processes interleave their blocks.
 */
import type { Allocator } from './allocator-port';

export const NAME_BLOCK = 32;

type Source = Pick<Allocator, 'reserveNameNumbers'>;

export class NameNumbers {
  private readonly blocks = new Map<number, { next: bigint; end: bigint; refills: Map<Source, Promise<void>> }>();
  /** Numbers a batch is about to use: refills take that many at once while it plans. */
  private expected = 0;

  constructor(
    private readonly source: Source,
    private readonly blockSize = NAME_BLOCK,
  ) {}

  /**
   * source: where a new block is reserved (a pinned connection, when the caller holds one). A
   * refill under way through another source is not waited for: on a one-connection store that
   * one may be queued behind the caller's own connection.
   */
  async next(zoneId: number, source: Source = this.source): Promise<bigint> {
    for (;;) {
      let b = this.blocks.get(zoneId);
      if (!b) this.blocks.set(zoneId, (b = { next: 0n, end: 0n, refills: new Map() }));
      if (b.next < b.end) return b.next++;
      const block = b;
      let refill = block.refills.get(source);
      if (!refill) {
        const size = Math.max(this.blockSize, this.expected);
        refill = source
          .reserveNameNumbers(zoneId, size)
          .then((first) => {
            block.next = first;
            block.end = first + BigInt(size);
          })
          .finally(() => block.refills.delete(source));
        block.refills.set(source, refill);
      }
      await refill;
    }
  }

  /** While a batch plans `count` names, refills are that large (one round trip, not one per block); returns the end of it. */
  expect(count: number): () => void {
    this.expected = Math.max(this.expected, count);
    return () => {
      this.expected = 0;
    };
  }
}
