/** Whole-database work: export, import, reset, and what the schema looks like. */

/** One stored row as export writes it: column name to exact JSON value. */
export type ExportRow = Record<string, unknown>;

export interface MaintenancePort {
  /** The rest of this transaction reads one snapshot (REPEATABLE READ); first statement only. */
  snapshotIsolation(): Promise<void>;
  /** Names of the applied migrations, oldest first. */
  appliedMigrations(): Promise<string[]>;
  tableColumns(table: string): Promise<string[]>;
  /** Every row in primary-key order, every column as exact JSON (timestamps, addresses and big numbers as text). */
  exportTable(table: string): Promise<ExportRow[]>;
  /** Inserts rows as exportTable wrote them, ids included. */
  importTable(table: string, rows: ExportRow[]): Promise<void>;
  nonEmptyTables(tables: string[]): Promise<string[]>;
  truncateTables(tables: string[]): Promise<void>;
  /** Moves identity sequences past the highest id, after rows were inserted with their ids. */
  resetIdentities(tables: string[]): Promise<void>;
}
