/**
 * Whole-database work for src/logic/maintenance/export.ts: table-generic export and import, reset,
 * the schema as applied. Columns are read from the catalog, so a column added by a later migration
 * is exported without a change here. Table names only ever come from the logic's list and are
 * checked against the catalog before use.
 */
import type { ExportRow, MaintenancePort } from '../logic/maintenance/port';
import type { Sql } from './sql';

interface Column {
  name: string;
  type: string;
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return `"${name}"`;
};

/** How a column is written: exact text where JSON numbers or JS dates would round or reformat. */
function exported(c: Column): string {
  const col = ident(c.name);
  switch (c.type) {
    case 'timestamp with time zone':
      return `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${col}`;
    case 'inet':
    case 'cidr':
      return `nullif(format('%s', ${col}), '') AS ${col}`; // the output form: 10.0.0.1, not text()'s 10.0.0.1/32
    case 'bigint':
    case 'numeric':
    case 'uuid':
      return `${col}::text AS ${col}`;
    default:
      return col;
  }
}

const CHUNK = 2000;

export class SqlMaintenance implements MaintenancePort {
  constructor(private readonly db: Sql) {}

  async snapshotIsolation(): Promise<void> {
    await this.db.rows(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
  }

  private async columns(table: string): Promise<Column[]> {
    const rows: { name: string; type: string }[] = await this.db.rows(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    if (rows.length === 0) throw new Error(`no table ${table} in the store`);
    return rows;
  }

  async tableColumns(table: string): Promise<string[]> {
    return (await this.columns(table)).map((c) => c.name);
  }

  private async primaryKey(table: string): Promise<string[]> {
    const rows: { name: string }[] = await this.db.rows(
      `SELECT a.attname AS name FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
       WHERE i.indrelid = $1::regclass AND i.indisprimary
       ORDER BY array_position(i.indkey, a.attnum)`,
      [table],
    );
    return rows.map((r) => r.name);
  }

  async exportTable(table: string): Promise<ExportRow[]> {
    const cols = await this.columns(table);
    const key = await this.primaryKey(table);
    const order = (key.length > 0 ? key : cols.map((c) => c.name)).map(ident).join(', ');
    return this.db.rows(`SELECT ${cols.map(exported).join(', ')} FROM ${ident(table)} ORDER BY ${order}`);
  }

  async importTable(table: string, rows: ExportRow[]): Promise<void> {
    if (rows.length === 0) return;
    // Only the columns the document has: a column it lacks (an older export) gets its default.
    const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const list = names.map(ident).join(', ');
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.db.rows(
        `INSERT INTO ${ident(table)} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${ident(table)}, $1::json)`,
        [JSON.stringify(rows.slice(i, i + CHUNK))],
      );
    }
  }

  async nonEmptyTables(tables: string[]): Promise<string[]> {
    const found: string[] = [];
    for (const t of tables) if ((await this.db.rows(`SELECT 1 FROM ${ident(t)} LIMIT 1`)).length > 0) found.push(t);
    return found;
  }

  async truncateTables(tables: string[]): Promise<void> {
    // TRUNCATE fires no row triggers: audit_log's append-only trigger guards UPDATE and DELETE.
    await this.db.rows(`TRUNCATE ${tables.map(ident).join(', ')} RESTART IDENTITY CASCADE`);
  }

  async resetIdentities(tables: string[]): Promise<void> {
    for (const t of tables) {
      const ids: { name: string }[] = await this.db.rows(
        `SELECT column_name AS name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'`,
        [t],
      );
      for (const { name } of ids) {
        await this.db.rows(
          `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${ident(name)}) FROM ${ident(t)}), 0) + 1, false)`,
          [t, name],
        );
      }
    }
  }

  async appliedMigrations(): Promise<string[]> {
    return (await this.db.rows<{ name: string }>(`SELECT name FROM ipcd_migrations ORDER BY id`)).map((r) => r.name);
  }
}
