/**
 * `ipcd export` / `ipcd import`: the whole persistent state as one versioned JSON document.
 *
 * The document has one section per stored table, named after it, with every column of every row
 * (ids included, so references — audit rows naming an object, DNS changes naming an allocation,
 * grants naming a user — stay true after a restore). Rows come in primary-key order and values in
 * exact text (timestamps in UTC with microseconds, addresses, big numbers as strings), so exporting
 * a restored store gives the same document again. Left out, because they are derived or
 * short-lived: the allocator's free ranges (rebuilt on import from allocations, reservations and
 * hold-downs), WS-Security nonces (a replay window of minutes) and console sessions (live logins;
 * nobody should be logged in by a restore).
 *
 * Import goes into an empty store in one transaction; with `force` it first empties the store
 * (everything, the audit log included) in that same transaction. Either all of it is restored or
 * nothing changes. An import is not audited: the audit log is restored as it was exported, and a
 * row about the import would make the restored store differ from the exported one.
 */
import { IpcdError, invalid } from '../core/errors';
import { rebuildFreeRanges } from '../topology/free-space';
import type { UnitOfWork } from '../core/unit-of-work';
import type { ExportRow, MaintenancePort } from './port';
import type { ReportsPort } from '../reporting/port';
import type { TopologyPort } from '../topology/port';
import { parseCidr } from '../core/ip';
import { assertAssignablePrefix } from '../topology/special-purpose';

/** The ports this module uses. */
type Tx = { maintenance: MaintenancePort; reports: ReportsPort; topology: TopologyPort };

export const FORMAT_VERSION = 1;

/** Exported tables in an order that satisfies their references when loaded. */
export const EXPORTED_TABLES = [
  'data_center',
  'tenant',
  'zone',
  'reverse_zone',
  'network',
  'reservation',
  'held_address',
  'allocation',
  'app_user',
  'user_grant',
  'network_alert',
  'alert_event',
  'dns_outbox',
  'audit_log',
] as const;

/** Stored but not exported, and why (test/ops/export.test.ts checks every table is one or the other). */
export const NOT_EXPORTED: Record<string, string> = {
  free_range: 'derived: rebuilt on import from the network, its allocations, reservations and hold-downs',
  ws_nonce: 'replay cache of the last minutes',
  auth_failure: 'failed logins of the last minutes (the guessing limit)',
  ui_session: 'live console logins',
  ipcd_migrations: 'schema history: the document names its schema instead',
  ipcd_config: "the configuration's change stamp: the import's own writes move it on",
};

export type ExportedTable = (typeof EXPORTED_TABLES)[number];

export interface ExportDocument {
  formatVersion: number;
  /** The last migration applied to the exporting store: the shape of the rows. */
  schema: string;
  tables: Record<ExportedTable, ExportRow[]>;
}

export async function exportDocument(store: UnitOfWork<Tx>): Promise<ExportDocument> {
  // One transaction, so the sections are one consistent snapshot.
  return store.transaction(async (tx) => {
    await tx.maintenance.snapshotIsolation();
    const tables = {} as Record<ExportedTable, ExportRow[]>;
    for (const t of EXPORTED_TABLES) tables[t] = await tx.maintenance.exportTable(t);
    const applied = await tx.maintenance.appliedMigrations();
    return { formatVersion: FORMAT_VERSION, schema: applied[applied.length - 1], tables };
  });
}

/** JSON with one row per line: diffable, and the same bytes for the same document. */
export function formatDocument(doc: ExportDocument): string {
  const sections = EXPORTED_TABLES.map((t) => {
    const rows = doc.tables[t];
    return `    ${JSON.stringify(t)}: [${rows.length === 0 ? '' : `\n${rows.map((r) => `      ${JSON.stringify(r)}`).join(',\n')}\n    `}]`;
  });
  return `{\n  "formatVersion": ${doc.formatVersion},\n  "schema": ${JSON.stringify(doc.schema)},\n  "tables": {\n${sections.join(',\n')}\n  }\n}\n`;
}

export interface ImportResult {
  rows: Record<ExportedTable, number>;
  /** With force: the store was not empty and was emptied first. */
  replaced: boolean;
}

/** Checks the document's shape before anything is written; returns it typed. */
export function parseDocument(text: string): ExportDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalid(`the import file is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const d = doc as Partial<ExportDocument>;
  if (typeof d !== 'object' || d === null || Array.isArray(d))
    throw invalid('the import file is not an ipcd export (a JSON object)');
  if (d.formatVersion !== FORMAT_VERSION) {
    throw invalid(
      `the import file has formatVersion ${JSON.stringify(d.formatVersion)}; this ipcd reads formatVersion ${FORMAT_VERSION}`,
    );
  }
  if (typeof d.schema !== 'string') throw invalid('the import file names no schema');
  if (typeof d.tables !== 'object' || d.tables === null) throw invalid('the import file has no tables');
  const unknown = Object.keys(d.tables).filter((t) => !(EXPORTED_TABLES as readonly string[]).includes(t));
  if (unknown.length > 0) throw invalid(`the import file has tables this ipcd does not import: ${unknown.join(', ')}`);
  for (const t of EXPORTED_TABLES) {
    const rows = (d.tables as Record<string, unknown>)[t];
    if (!Array.isArray(rows) || rows.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
      throw invalid(`the import file's table ${t} is missing or not a list of rows`);
    }
  }
  // The same rule as AddNetwork: a restore must not bring in a network no VM could use.
  for (const n of (d.tables as Record<ExportedTable, ExportRow[]>).network)
    assertAssignablePrefix(parseCidr(String(n.cidr)), `network '${String(n.name)}'`);
  return d as ExportDocument;
}

export async function importDocument(
  store: UnitOfWork<Tx>,
  doc: ExportDocument,
  opts: { force?: boolean } = {},
): Promise<ImportResult> {
  return store.transaction(async (tx) => {
    const applied = await tx.maintenance.appliedMigrations();
    if (!applied.includes(doc.schema)) {
      throw invalid(
        `the import file was written with schema ${doc.schema}, which this store does not have (it has ${applied[applied.length - 1]}): import it with the ipcd version that exported it, or a newer one`,
      );
    }
    for (const t of EXPORTED_TABLES) {
      const known = new Set(await tx.maintenance.tableColumns(t));
      const extra = [...new Set(doc.tables[t].flatMap((r) => Object.keys(r)))].filter((c) => !known.has(c));
      if (extra.length > 0)
        throw invalid(`the import file's table ${t} has columns this store lacks: ${extra.join(', ')}`);
    }
    const occupied = await tx.maintenance.nonEmptyTables([...EXPORTED_TABLES]);
    if (occupied.length > 0 && !opts.force) {
      throw new IpcdError(
        'CONFLICT',
        `the store is not empty (${occupied.join(', ')} hold rows): import into an empty store, or use --force to replace everything in it`,
      );
    }
    if (occupied.length > 0)
      await tx.maintenance.truncateTables([
        ...EXPORTED_TABLES,
        ...Object.keys(NOT_EXPORTED).filter((t) => t !== 'ipcd_migrations' && t !== 'ipcd_config'),
      ]);
    const rows = {} as Record<ExportedTable, number>;
    for (const t of EXPORTED_TABLES) {
      await tx.maintenance.importTable(t, doc.tables[t]);
      rows[t] = doc.tables[t].length;
    }
    await tx.maintenance.resetIdentities([...EXPORTED_TABLES]);
    for (const { network } of await tx.reports.networkUsage({})) await rebuildFreeRanges(tx, network);
    return { rows, replaced: occupied.length > 0 };
  });
}
