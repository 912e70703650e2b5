/** Printing for the CLI: the client's helpers (aligned text tables, JSON with bigints as strings). */
export { json, stdio, table, type Output } from '../client/print';
