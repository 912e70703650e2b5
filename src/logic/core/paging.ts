/** Opaque page cursors: the last row's key, tagged by what it pages, so one list's cursor fails on another. */
import { IpcdError } from './errors';
import { integer } from './validate';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export function pageSize(value: unknown): number {
  const n = value === undefined ? DEFAULT_PAGE : integer(value, 'pageSize');
  if (n < 1 || n > MAX_PAGE) throw new IpcdError('INVALID_REQUEST', `pageSize must be 1 to ${MAX_PAGE}, got ${n}`);
  return n;
}

export const encodeCursor = (kind: string, key: string) => Buffer.from(`${kind}:${key}`).toString('base64url');

export function decodeCursor(kind: string, cursor: string, key: RegExp): string {
  const text = Buffer.from(String(cursor), 'base64url').toString();
  const value = text.slice(kind.length + 1);
  if (!text.startsWith(`${kind}:`) || !key.test(value)) {
    throw new IpcdError(
      'INVALID_REQUEST',
      'after is not a cursor this server issued for this list (use nextPage of the previous page)',
    );
  }
  return value;
}

export const UUID = /^[0-9a-f-]{36}$/;
export const DIGITS = /^\d{1,18}$/;

/** Rows fetched with one extra: the page, and the cursor of its last row when more follow. */
export function page<T>(
  rows: T[],
  size: number,
  kind: string,
  keyOf: (row: T) => string,
): { items: T[]; nextPage: string | null } {
  const items = rows.slice(0, size);
  return { items, nextPage: rows.length > size ? encodeCursor(kind, keyOf(items[items.length - 1])) : null };
}
