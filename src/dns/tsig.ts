/**
 * TSIG (RFC 8945) signing of a request and verification of its response, written here because
 * dns-packet builds and parses messages but does not sign them. HMAC-SHA256/384/512 only.
 *
 * The MAC covers the message as it is without the TSIG record, followed by the "TSIG variables"
 * (key name, class ANY, TTL 0, algorithm name, time signed, fudge, error, other data); a
 * response's MAC is additionally prefixed with the request's MAC (RFC 8945 section 4.3.3).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TsigAlgorithm } from '../logic/dns/dns';

export const TYPE_TSIG = 250;
const CLASS_ANY = 255;
export const DEFAULT_FUDGE = 300;

export interface TsigKey {
  name: string;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

const HASH: Record<TsigAlgorithm, string> = {
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
};

/** A name in canonical wire form: lower case, uncompressed, root-terminated. */
export function wireName(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u48 = (n: number) => {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
};

function variables(key: TsigKey, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  return Buffer.concat([
    wireName(key.name),
    u16(CLASS_ANY),
    u32(0),
    wireName(key.algorithm),
    u48(timeSigned),
    u16(fudge),
    u16(error),
    u16(other.length),
    other,
  ]);
}

const hmac = (key: TsigKey, ...parts: Buffer[]) => {
  const h = createHmac(HASH[key.algorithm], key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Appends a TSIG record to an encoded message (ARCOUNT + 1); returns the signed message and its MAC. */
export function sign(
  message: Buffer,
  key: TsigKey,
  nowMs = Date.now(),
  fudge = DEFAULT_FUDGE,
): { signed: Buffer; mac: Buffer } {
  const timeSigned = Math.floor(nowMs / 1000);
  const mac = hmac(key, message, variables(key, timeSigned, fudge, 0, Buffer.alloc(0)));
  const rdata = Buffer.concat([
    wireName(key.algorithm),
    u48(timeSigned),
    u16(fudge),
    u16(mac.length),
    mac,
    u16(message.readUInt16BE(0)),
    u16(0),
    u16(0),
  ]);
  const rr = Buffer.concat([wireName(key.name), u16(TYPE_TSIG), u16(CLASS_ANY), u32(0), u16(rdata.length), rdata]);
  const signed = Buffer.concat([message, rr]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { signed, mac };
}

export const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

export interface TsigCheck {
  /** Whether the response carried a TSIG record at all. */
  present: boolean;
  /** The TSIG error field (0 none). */
  error: number;
  /** True when the MAC and time verify against the request's MAC. */
  valid: boolean;
  /** Why it does not verify. */
  reason?: string;
}

/** Reads a name in wire form at offset (no compression: TSIG names are never compressed). */
function readName(buf: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  for (;;) {
    const len = buf[i];
    if (len === undefined || len > 63) throw new Error('malformed name in TSIG record');
    i++;
    if (len === 0) break;
    labels.push(buf.toString('ascii', i, i + len));
    i += len;
  }
  return { name: labels.join('.').toLowerCase(), end: i };
}

/**
 * Checks a response's TSIG: `tsigOffset` is where its TSIG record starts (the last record of
 * the additional section), `requestMac` the MAC of the request it answers.
 */
export function verify(
  response: Buffer,
  tsigOffset: number | null,
  requestMac: Buffer,
  key: TsigKey,
  nowMs = Date.now(),
): TsigCheck {
  if (tsigOffset === null) return { present: false, error: 0, valid: false, reason: 'the response is not signed' };
  const owner = readName(response, tsigOffset);
  let i = owner.end + 10; // type, class, TTL, RDLENGTH
  const alg = readName(response, i);
  i = alg.end;
  const timeSigned = response.readUIntBE(i, 6);
  const fudge = response.readUInt16BE(i + 6);
  const macSize = response.readUInt16BE(i + 8);
  const mac = response.subarray(i + 10, i + 10 + macSize);
  i += 10 + macSize;
  const originalId = response.readUInt16BE(i);
  const error = response.readUInt16BE(i + 2);
  const otherLen = response.readUInt16BE(i + 4);
  const other = response.subarray(i + 6, i + 6 + otherLen);
  if (owner.name !== key.name.toLowerCase() || alg.name !== key.algorithm)
    return { present: true, error, valid: false, reason: `signed with another key (${owner.name}, ${alg.name})` };
  if (error !== 0 || macSize === 0)
    return { present: true, error, valid: false, reason: `TSIG error ${TSIG_ERRORS[error] ?? error}` };
  const body = Buffer.from(response.subarray(0, tsigOffset));
  body.writeUInt16BE(originalId, 0);
  body.writeUInt16BE(body.readUInt16BE(10) - 1, 10);
  const expected = hmac(key, u16(requestMac.length), requestMac, body, variables(key, timeSigned, fudge, error, other));
  if (expected.length !== mac.length || !timingSafeEqual(expected, mac))
    return { present: true, error, valid: false, reason: 'the response MAC does not verify' };
  if (Math.abs(Math.floor(nowMs / 1000) - timeSigned) > fudge)
    return { present: true, error, valid: false, reason: 'the response was signed outside the allowed clock skew' };
  return { present: true, error, valid: true };
}
