/** Field rules shared by every transport (SOAP, CLI, later the console): one place each. */
import { invalid } from './errors';
import { formatAddress, parseAddress } from './ip';

export function vlanId(value: unknown, field = 'vlan'): number {
  const n = integer(value, field);
  if (n < 1 || n > 4094) throw invalid(`${field} ${n} is out of range: a VLAN ID is 1 to 4094 (IEEE 802.1Q)`);
  return n;
}

export function vxlanId(value: unknown): number {
  const n = integer(value, 'vxlan');
  if (n < 0 || n > 16777215) throw invalid(`vxlan ${n} is out of range: a VNI is 0 to 16777215`);
  return n;
}

export function integer(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\s*[+-]?\d{1,15}\s*$/.test(value)) return Number(value);
  throw invalid(`${field} must be an integer, got ${describe(value)}`);
}

export function bool(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(`${field} must be true or false, got ${describe(value)}`);
}

const DC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export function dataCenterName(value: unknown): string {
  if (typeof value !== 'string' || !DC_NAME.test(value)) {
    throw invalid(`dataCenter must be 1-63 letters, digits, '.', '_' or '-', got ${describe(value)}`);
  }
  return value;
}

export function serverInstance(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 255) {
    throw invalid(`serverInstance must be a non-empty string of at most 255 characters, got ${describe(value)}`);
  }
  return value.trim();
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A DNS host label (RFC 1123), folded to lower case. */
export function hostLabel(value: unknown, field = 'hostnameHint'): string {
  const v = typeof value === 'string' ? value.toLowerCase() : value;
  if (typeof v !== 'string' || !LABEL.test(v)) {
    throw invalid(
      `${field} must be a DNS label (letters, digits, inner hyphens, 1-63 characters), got ${describe(value)}`,
    );
  }
  return v;
}

/** A DNS zone name: labels joined by dots, at most 253 characters, stored without the root dot. */
export function zoneName(value: unknown): string {
  const v = typeof value === 'string' ? value.toLowerCase().replace(/\.$/, '') : value;
  if (typeof v !== 'string' || v.length > 253 || !v.split('.').every((l) => LABEL.test(l))) {
    throw invalid(`zone must be a DNS name such as dc1.example.com, got ${describe(value)}`);
  }
  return v;
}

/** Names of data centers, tenants and networks: readable, URL- and shell-safe. */
const OBJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export function objectName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !OBJECT_NAME.test(value)) {
    throw invalid(`${field} must be 1-128 letters, digits, '.', '_', ':' or '-', got ${describe(value)}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'number' && Number.isNaN(value)) return 'a non-number';
  if (typeof value === 'object') return 'a structure';
  const s = String(value);
  return `'${s.length > 64 ? `${s.slice(0, 64)}…` : s}'`;
}

/** An IPv4 or IPv6 address in canonical text (RFC 5952 for IPv6). */
export function ipAddress(value: unknown, field = 'address'): string {
  const parsed = typeof value === 'string' ? parseAddress(value) : null;
  if (!parsed) throw invalid(`${field} must be an IPv4 or IPv6 address, got ${describe(value)}`);
  return formatAddress(parsed.family, parsed.value);
}

/** An allocation's id as CommissionIP returned it (a UUID), in lower case. */
export function allocationId(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) {
    throw invalid(`allocationId must be the id CommissionIP returned (a UUID), got ${describe(value)}`);
  }
  return text.toLowerCase();
}
