/**
 * Whether the database is reachable, as the requests find it: the first failure of an outage
 * and the first success after it are each told once (one log line each), however many requests
 * fail in between.
 */
export type AvailabilityEvent =
  { state: 'unavailable'; error: string } | { state: 'available'; unavailableMs: number; failures: number };

export class Availability {
  private downSince: number | null = null;
  private failures = 0;
  private readonly listeners = new Set<(e: AvailabilityEvent) => void>();

  on(listener: (e: AvailabilityEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  failed(error: unknown): void {
    this.failures++;
    if (this.downSince !== null) return;
    this.downSince = Date.now();
    this.emit({ state: 'unavailable', error: error instanceof Error ? error.message : String(error) });
  }

  /**
   * `startedAt`: when the successful work began. Work that began before the outage was noticed
   * proves nothing about now (it may have held a connection that has since died).
   */
  succeeded(startedAt: number): void {
    if (this.downSince === null || startedAt < this.downSince) return;
    const event: AvailabilityEvent = {
      state: 'available',
      unavailableMs: Date.now() - this.downSince,
      failures: this.failures,
    };
    this.downSince = null;
    this.failures = 0;
    this.emit(event);
  }

  private emit(e: AvailabilityEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a listener's failure is its own business
      }
    }
  }
}
