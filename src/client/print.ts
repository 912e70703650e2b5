/**
 * What ipcd-client prints: aligned text tables for people, JSON (bigints as strings) for scripts,
 * and the exit status of each outcome. The setup CLI (src/cli) prints with the same helpers.
 */
import type { FaultCode } from '../contract';
import type { IssuedAllocation } from './client';
import { IpcdFaultError, type IpcdTransportError } from './errors';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Columns padded to their widest cell; numeric columns (named in `right`) aligned right. */
export function table(headers: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** JSON with bigint values as decimal strings: an IPv6 /64 holds more than 2^53 addresses. */
export function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

export const EXIT = { ok: 0, unexpected: 1, transport: 3, usage: 64 } as const;

/**
 * A refusal exits with its fault code's own status, so a script can branch on `$?` alone. Fixed
 * numbers, never reused: a new fault code gets the next free one (the type makes it required).
 */
export const FAULT_EXIT: Readonly<Record<FaultCode, number>> = {
  INVALID_REQUEST: 10,
  UNKNOWN_DATA_CENTER: 11,
  UNKNOWN_VLAN: 12,
  AMBIGUOUS_VLAN: 13,
  NO_FREE_ADDRESS: 14,
  NO_ZONE: 15,
  NAME_EXHAUSTED: 16,
  NOT_FOUND: 17,
  CONFLICT: 18,
  UNSUPPORTED_OPERATION: 19,
  REQUEST_TOO_LARGE: 20,
  AUTHENTICATION_FAILED: 21,
  MUST_UNDERSTAND: 22,
  ACCESS_DENIED: 23,
  BUSY: 24,
  INTERNAL: 25,
  NETWORK_IN_USE: 26,
  SPLIT_REFUSED: 27,
  MERGE_REFUSED: 28,
  UNAVAILABLE: 29,
  BATCH_ABORTED: 31,
};

/** The exit status for a failed call. */
export const exitFor = (e: IpcdFaultError | IpcdTransportError) =>
  e instanceof IpcdFaultError ? FAULT_EXIT[e.code] : EXIT.transport;

/** A failed call as --json prints it (on stdout, so a script reads one JSON document either way). */
export function errorJson(e: IpcdFaultError | IpcdTransportError): object {
  return e instanceof IpcdFaultError
    ? {
        fault: {
          code: e.code,
          message: e.message,
          faultcode: e.faultcode,
          operation: e.operation,
          exitStatus: FAULT_EXIT[e.code],
        },
      }
    : {
        error: {
          kind: e.kind,
          message: e.message,
          operation: e.operation,
          ...(e.status !== undefined && { status: e.status }),
          exitStatus: EXIT.transport,
        },
      };
}

export const dash = (v: string | number | undefined) => (v === undefined || v === '' ? '-' : String(v));

/** "key  value" lines for one record, absent fields left out. */
export function record(o: object): string {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${v instanceof Date ? v.toISOString() : String(v)}`).join('\n');
}

/** The DNS state as one cell: state, and why when it is not plain. */
const dnsText = (d: IssuedAllocation['dns']) =>
  d === undefined ? '-' : d.detail && d.state !== 'NONE' ? `${d.state}: ${d.detail}` : d.state;

export function allocationTable(as: IssuedAllocation[]): string {
  return table(
    ['DC', 'VLAN', 'INSTANCE', 'INTENT', 'ADDRESS', 'FQDN', 'NETWORK', 'CREATED', 'ALLOCATION', 'DNS'],
    as.map((a) => [
      a.dataCenter,
      String(a.vlan),
      a.serverInstance,
      a.intent,
      dash(a.address),
      dash(a.fqdn),
      a.network,
      a.createdAt.toISOString(),
      a.allocationId,
      dnsText(a.dns),
    ]),
    new Set([1]),
  );
}

export const EXIT_NOTE = [
  'Exit status: 0 done; 3 no usable answer (network, timeout, HTTP error); 64 usage error; 1 anything',
  'else; refused by ipcd: "ipcd-client: CODE: message" on stderr (with --json, {"fault": {...}} on',
  'stdout) and one status per fault code:',
  ...Object.entries(FAULT_EXIT)
    .map(([code, status]) => `${String(status).padStart(4)} ${code}`)
    .reduce<string[]>(
      (lines, cell, i) => (
        i % 3 === 0 ? lines.push(cell.padEnd(27)) : (lines[lines.length - 1] += cell.padEnd(27)),
        lines
      ),
      [],
    )
    .map((l) => l.trimEnd()),
  'WS-Security: with a user and password every request carries a UsernameToken (PasswordText: use',
  'https or a trusted network).',
].join('\n');
