/**
 * The in-memory store's tables: rows in a Map with the unique and lookup indexes the schema
 * declares, and an undo journal so that a failed unit of work leaves nothing behind (the
 * database's rollback). Rows are never mutated in place: an update puts a new object.
 */
import { StoreConflict } from '../../logic/core/errors';

/** The undo log of the unit of work under way (null outside one: each write stands alone). */
export class Journal {
  private undo: (() => void)[] | null = null;
  /** A table whose rows the logic caches (the configuration) changed in this unit. */
  configChanged = false;

  record(inverse: () => void): void {
    this.undo?.push(inverse);
  }

  begin(): void {
    this.undo = [];
    this.configChanged = false;
  }

  commit(): boolean {
    this.undo = null;
    const changed = this.configChanged;
    this.configChanged = false;
    return changed;
  }

  /** A savepoint in the unit under way: rollbackTo(mark) undoes only what came after it. */
  mark(): number {
    if (!this.undo) throw new Error('a savepoint outside a unit of work');
    return this.undo.length;
  }

  rollbackTo(mark: number): void {
    const undo = this.undo ?? [];
    while (undo.length > mark) undo.pop()!();
  }

  rollback(): void {
    const undo = this.undo ?? [];
    this.undo = null;
    this.configChanged = false;
    for (let i = undo.length - 1; i >= 0; i--) undo[i]();
  }
}

/** An index key, or null when the row is not in the index (a partial index's WHERE). */
type KeyOf<R> = (r: R) => string | null;

export class Table<K, R> {
  private readonly rows = new Map<K, R>();
  private readonly unique = new Map<string, Map<string, K>>();
  private readonly groups = new Map<string, Map<string, Set<K>>>();

  constructor(
    private readonly journal: Journal,
    private readonly name: string,
    private readonly opts: {
      uniques?: Record<string, KeyOf<R>>;
      groups?: Record<string, KeyOf<R>>;
      config?: boolean;
    } = {},
  ) {
    for (const u of Object.keys(opts.uniques ?? {})) this.unique.set(u, new Map());
    for (const g of Object.keys(opts.groups ?? {})) this.groups.set(g, new Map());
  }

  get(k: K): R | undefined {
    return this.rows.get(k);
  }

  has(k: K): boolean {
    return this.rows.has(k);
  }

  get size(): number {
    return this.rows.size;
  }

  values(): R[] {
    return [...this.rows.values()];
  }

  /** The first `limit` rows in insertion order (the oldest, for tables written in time order). */
  oldest(limit: number): R[] {
    const out: R[] = [];
    for (const r of this.rows.values()) {
      if (out.length >= limit) break;
      out.push(r);
    }
    return out;
  }

  /** The row holding this key of a unique index. */
  byUnique(index: string, key: string): R | undefined {
    const k = this.unique.get(index)!.get(key);
    return k === undefined ? undefined : this.rows.get(k);
  }

  /** The rows sharing this key of a lookup index. */
  byGroup(index: string, key: string): R[] {
    return [...(this.groups.get(index)!.get(key) ?? [])].map((k) => this.rows.get(k)!);
  }

  /** Inserts a new row; a taken primary or unique key is a lost race, as in the database. */
  insert(k: K, r: R): R {
    if (this.rows.has(k)) throw new StoreConflict(`duplicate key in ${this.name}`);
    return this.put(k, r);
  }

  /** Inserts or replaces the row; the unique indexes are checked first. */
  put(k: K, r: R): R {
    for (const [index, keyOf] of Object.entries(this.opts.uniques ?? {})) {
      const key = keyOf(r);
      const holder = key === null ? undefined : this.unique.get(index)!.get(key);
      if (holder !== undefined && holder !== k) throw new StoreConflict(`duplicate key in ${this.name} (${index})`);
    }
    const old = this.rows.get(k);
    this.place(k, old, r);
    this.journal.record(() => this.place(k, r, old));
    return r;
  }

  delete(k: K): R | undefined {
    const old = this.rows.get(k);
    if (old === undefined) return undefined;
    this.place(k, old, undefined);
    this.journal.record(() => this.place(k, undefined, old));
    return old;
  }

  private place(k: K, old: R | undefined, r: R | undefined): void {
    if (this.opts.config) this.journal.configChanged = true;
    for (const [index, keyOf] of Object.entries(this.opts.uniques ?? {})) {
      const m = this.unique.get(index)!;
      const was = old === undefined ? null : keyOf(old);
      if (was !== null && m.get(was) === k) m.delete(was);
      const now = r === undefined ? null : keyOf(r);
      if (now !== null) m.set(now, k);
    }
    for (const [index, keyOf] of Object.entries(this.opts.groups ?? {})) {
      const m = this.groups.get(index)!;
      const was = old === undefined ? null : keyOf(old);
      if (was !== null) {
        m.get(was)?.delete(k);
        if (m.get(was)?.size === 0) m.delete(was);
      }
      const now = r === undefined ? null : keyOf(r);
      if (now !== null) {
        let set = m.get(now);
        if (!set) m.set(now, (set = new Set()));
        set.add(k);
      }
    }
    if (r === undefined) this.rows.delete(k);
    else this.rows.set(k, r);
  }
}

/** Serializes units of work (the database's locks, made coarse): one writer or reader at a time. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
