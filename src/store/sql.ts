/**
 * The store's one way to talk SQL: statements through the transaction's query runner, rows back
 * in one shape whatever the statement (TypeORM's plain `query` answers UPDATE/DELETE … RETURNING
 * with [rows, count] but SELECT with rows), values always as parameters (Query), and what the
 * transaction changed reported in one place (Changes) for the store to announce after commit.
 */
import type { EntityManager } from 'typeorm';
import type { Grant } from '../logic/access/policy';
import type { NetworkFilter } from '../logic/core/model';

export type Row = Record<string, unknown>;

/** What a transaction changed that others are told about once it commits. */
export class Changes {
  /** Networks whose fill changed (addresses issued, released, moved; free space or threshold rewritten). */
  readonly networks = new Set<number>();
  /** DNS changes became due (queued, or sent back to pending). */
  dnsQueued = false;

  fill(...networkIds: number[]): void {
    for (const id of networkIds) this.networks.add(id);
  }

  dns(): void {
    this.dnsQueued = true;
  }
}

/** One transaction: its statements and its change set. */
export class Sql {
  readonly changes = new Changes();

  constructor(private readonly m: EntityManager) {}

  /** The statement's rows (RETURNING rows for writes), each column as the driver gives it. */
  async rows<T = Row>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.run(text, params)).records as T[];
  }

  /** The first row, or null. */
  async one<T = Row>(text: string, params: unknown[] = []): Promise<T | null> {
    return (await this.rows<T>(text, params))[0] ?? null;
  }

  /** How many rows the statement wrote (updated, deleted, inserted). */
  async count(text: string, params: unknown[] = []): Promise<number> {
    return (await this.run(text, params)).affected ?? 0;
  }

  private run(text: string, params: unknown[]) {
    const runner = this.m.queryRunner;
    if (!runner) throw new Error('SQL outside a transaction');
    // Structured: rows and the row count whatever the statement (the plain form varies by kind).
    return runner.query(text, params, true);
  }
}

/**
 * A WHERE clause assembled from optional filters; every value goes in as a $n parameter.
 * `sql` is the conjunction ('true' when empty); `p` adds a parameter and returns its placeholder.
 */
export class Query {
  readonly params: unknown[];
  private readonly terms: string[] = [];

  constructor(params: unknown[] = [], ...terms: string[]) {
    this.params = [...params];
    this.terms.push(...terms);
  }

  p = (v: unknown): string => `$${this.params.push(v)}`;

  where(term: string): this {
    this.terms.push(term);
    return this;
  }

  /** `column = value`, only when the value is given. */
  eq(column: string, value: unknown, cast = ''): this {
    if (value !== undefined) this.terms.push(`${column} = ${this.p(value)}${cast}`);
    return this;
  }

  /** The one network filter (data center, VLAN, tenant) over a network alias. */
  network(f: NetworkFilter, n = 'n'): this {
    return this.eq(`${n}.data_center_id`, f.dataCenterId).eq(`${n}.vlan`, f.vlan).eq(`${n}.tenant_id`, f.tenantId);
  }

  /** Tagged with the key (and value, when given). */
  tag(column: string, key: string | undefined, value: string | undefined): this {
    if (key !== undefined && value !== undefined)
      this.terms.push(`${column} @> ${this.p(JSON.stringify({ [key]: value }))}::jsonb`);
    else if (key !== undefined) this.terms.push(`${column} ? ${this.p(key)}`);
    return this;
  }

  /** Rows some grant covers (a null in a grant matches anything); no grants, no rows. */
  scope(scope: Grant[] | undefined, dcColumn: string, tenantColumn: string): this {
    if (scope === undefined) return this;
    const terms = scope.map(
      (g) =>
        `(${g.dataCenterId === null ? 'true' : `${dcColumn} = ${this.p(g.dataCenterId)}`} AND ${g.tenantId === null ? 'true' : `${tenantColumn} = ${this.p(g.tenantId)}`})`,
    );
    this.terms.push(terms.length ? `(${terms.join(' OR ')})` : 'false');
    return this;
  }

  get sql(): string {
    return this.terms.length ? this.terms.join(' AND ') : 'true';
  }
}
