/** Generated host names: a per-network pattern with a per-zone sequence number. */
import { invalid } from '../core/errors';
import { hostLabel } from '../core/validate';

export const DEFAULT_NAME_PATTERN = 'vm-{seq:6}';

/** `{seq}` or `{seq:N}` (zero padded to N digits) must appear exactly once. */
export function checkNamePattern(pattern: string): string {
  const marks = pattern.match(/\{seq(?::\d)?\}/g) ?? [];
  if (marks.length !== 1) throw invalid(`name pattern '${pattern}' must contain {seq} or {seq:N} exactly once`);
  hostLabel(renderName(pattern, 1n), 'name pattern');
  return pattern;
}

export function renderName(pattern: string, seq: bigint): string {
  return pattern.replace(/\{seq(?::(\d))?\}/, (_m, width: string | undefined) =>
    seq.toString().padStart(width ? Number(width) : 0, '0'),
  );
}

export const fqdn = (name: string, zone: string) => `${name}.${zone}`;

/** Issued names are single labels, so 'vm-1.dc1.example.com' is label 'vm-1' in zone 'dc1.example.com'. */
export function splitName(name: string): { label: string; zone?: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { label: name } : { label: name.slice(0, dot), zone: name.slice(dot + 1) };
}
