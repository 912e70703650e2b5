/**
 * A transaction over the ports a logic module declares it needs: each module names only the
 * capabilities it uses (`UnitOfWork<{ topology: TopologyPort; audit: AuditPort }>`), so it cannot
 * reach the rest of the store. Every call inside `fn` belongs to one atomic unit.
 */
export interface UnitOfWork<P> {
  /** Runs fn atomically. Throws StoreConflict (nothing written) when it lost a race. */
  transaction<T>(fn: (tx: P) => Promise<T>): Promise<T>;
}
