/**
 * RFC 2136 dynamic UPDATE over TCP, signed with TSIG: the DnsUpdater the worker sends through.
 * Messages are built and parsed by dns-packet; only TSIG (./tsig.ts) is written here.
 *
 * add:    delete the owner's RRset of that type, then add the one record — the name (or the
 *         address's PTR) ends up with exactly the record ipcd issued, however often it is sent.
 * delete: delete the owner's RRset of that type (ipcd issues one record per owner and type).
 */
import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { DnsDeliveryError } from '../logic/dns/dns';
import type { DnsTarget, DnsUpdate, DnsUpdater } from '../logic/dns/port';
import { sign, verify, wireName, type TsigKey } from './tsig';

const OPCODE_UPDATE = 5;
const TYPE_CODE = { A: 1, AAAA: 28, PTR: 12 } as const;

/** The UPDATE message for one record change, unsigned. */
export function updateMessage(u: DnsUpdate, id = randomInt(0, 65536)): Buffer {
  // Class ANY with empty RDATA deletes an RRset (RFC 2136 2.5.2); dns-packet writes empty RDATA
  // only through its raw ("UNKNOWN_<code>") record type.
  const deleteRRset = {
    name: u.owner,
    type: `UNKNOWN_${TYPE_CODE[u.rtype]}`,
    class: 'ANY',
    ttl: 0,
    data: Buffer.alloc(0),
  };
  const updates =
    u.action === 'add'
      ? [deleteRRset, { name: u.owner, type: u.rtype, class: 'IN', ttl: u.ttl, data: u.rdata }]
      : [deleteRRset];
  return dnsPacket.encode({
    id,
    type: 'query',
    flags: OPCODE_UPDATE << 11,
    questions: [{ name: u.zone, type: 'SOA', class: 'IN' }],
    authorities: updates,
  } as unknown as dnsPacket.Packet);
}

export class Rfc2136Updater implements DnsUpdater {
  constructor(private readonly timeoutMs = 3000) {}

  async send(target: DnsTarget, update: DnsUpdate): Promise<void> {
    const key: TsigKey = { name: target.key.name, algorithm: target.key.algorithm, secret: target.key.secret };
    const { signed, mac } = sign(updateMessage(update), key);
    const reply = await exchange(target.host, target.port, signed, this.timeoutMs);
    let decoded: dnsPacket.Packet;
    try {
      decoded = dnsPacket.decode(reply);
    } catch (e) {
      throw new DnsDeliveryError(`unreadable response: ${(e as Error).message}`, 'network');
    }
    if (decoded.id !== signed.readUInt16BE(0))
      throw new DnsDeliveryError('the response answers another message', 'network');
    const check = verify(reply, tsigOffset(reply, decoded), mac, key);
    const rcode = (decoded as { rcode?: string }).rcode ?? 'NOERROR';
    if (rcode !== 'NOERROR') {
      const tsig = check.present && check.error ? ` (TSIG ${check.reason?.replace('TSIG error ', '')})` : '';
      throw new DnsDeliveryError(
        `the server answered ${rcode}${tsig} to ${update.action} ${update.owner} ${update.rtype} in zone ${update.zone}`,
        'rcode',
        rcode,
      );
    }
    if (!check.valid)
      throw new DnsDeliveryError(`the server's answer cannot be trusted: ${check.reason}`, 'tsig', 'UNSIGNED');
  }
}

/** Where the response's TSIG record starts, when its last additional record is one. */
function tsigOffset(reply: Buffer, decoded: dnsPacket.Packet): number | null {
  const last = decoded.additionals?.[decoded.additionals.length - 1] as
    { type?: string; name?: string; data?: unknown } | undefined;
  if (!last || last.type !== 'TSIG' || !Buffer.isBuffer(last.data) || !last.name) return null;
  return reply.length - (wireName(last.name).length + 10 + last.data.length);
}

/** One request and its response over DNS-over-TCP (two-byte length prefix, RFC 1035 4.2.2). */
function exchange(host: string, port: number, message: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let got = Buffer.alloc(0);
    const fail = (why: string) => {
      socket.destroy();
      reject(new DnsDeliveryError(why, 'network'));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        socket.destroy();
        resolve(got.subarray(2, 2 + got.readUInt16BE(0)));
      }
    });
    socket.on('end', () => fail('the server closed the connection without answering'));
  });
}
