/**
 * A PostgreSQL wire-protocol TCP proxy that counts SQL round trips from outside the server: ipcd's
 * DATABASE_URL points here, every byte of the session is forwarded unchanged, and the frontend's
 * messages are parsed only to count the ones that end a round trip, simple Query ('Q') and Sync
 * ('S'), and the transactions a simple BEGIN / START TRANSACTION opens. An SSLRequest or
 * GSSENCRequest before the startup packet is answered 'N' (no encryption), as a plain server would.
 */
import net from 'node:net';
import { OPENS_TRANSACTION } from '../src/store/typeorm-store';
import { onCleanup } from './cleanup';

export interface Counts {
  /** 'Q' + 'S' messages. */
  roundTrips: number;
  queries: number;
  syncs: number;
  /** Simple queries that begin a transaction. */
  transactions: number;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export interface PgProxy {
  /** `upstreamUrl` with host and port replaced by the proxy's. */
  url: string;
  counts(): Counts;
  close(): Promise<void>;
}

/** Counts typed frontend messages (after the startup packet); bodies are skipped, not kept. */
class MessageCounter {
  private buf: Buffer = Buffer.alloc(0);
  private skip = 0;

  constructor(private readonly c: Counts) {}

  push(chunk: Buffer): void {
    if (this.skip >= chunk.length) {
      this.skip -= chunk.length;
      return;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk.subarray(this.skip)]) : chunk.subarray(this.skip);
    this.skip = 0;
    while (this.buf.length >= 5) {
      const type = this.buf[0];
      const total = 1 + this.buf.readInt32BE(1); // the length counts itself, not the type byte
      if (type === 0x51 /* Q */) {
        const head = Math.min(total, 5 + 32); // enough of the SQL to see BEGIN
        if (this.buf.length < head) return;
        this.c.queries++;
        this.c.roundTrips++;
        if (OPENS_TRANSACTION.test(this.buf.subarray(5, head).toString('utf8'))) this.c.transactions++;
      } else if (type === 0x53 /* S */) {
        this.c.syncs++;
        this.c.roundTrips++;
      }
      if (this.buf.length < total) {
        this.skip = total - this.buf.length;
        this.buf = Buffer.alloc(0);
        return;
      }
      this.buf = this.buf.subarray(total);
    }
  }
}

function relay(client: net.Socket, host: string, port: number, counts: Counts, sockets: Set<net.Socket>): void {
  client.setNoDelay(true);
  sockets.add(client);
  let head: Buffer = Buffer.alloc(0);
  let pg: net.Socket | undefined;
  const counter = new MessageCounter(counts);
  const end = () => {
    client.destroy();
    pg?.destroy();
    sockets.delete(client);
    if (pg) sockets.delete(pg);
  };
  client.on('close', end).on('error', end);
  client.on('data', (chunk: Buffer) => {
    if (pg) {
      counter.push(chunk);
      pg.write(chunk);
      return;
    }
    // Startup phase: length-prefixed packets without a type byte.
    head = Buffer.concat([head, chunk]);
    while (head.length >= 8 && head.length >= head.readInt32BE(0)) {
      const len = head.readInt32BE(0);
      const code = head.readInt32BE(4);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        client.write('N');
        head = head.subarray(len);
        continue;
      }
      // StartupMessage (or CancelRequest): from here on the session is relayed as it is.
      const upstream = net.connect({ host, port });
      pg = upstream;
      upstream.setNoDelay(true);
      sockets.add(upstream);
      upstream.on('close', end).on('error', end);
      upstream.on('data', (d: Buffer) => client.write(d));
      upstream.write(head);
      counter.push(head.subarray(len));
      return;
    }
  });
}

export async function startPgProxy(upstreamUrl: string): Promise<PgProxy> {
  const upstream = new URL(upstreamUrl);
  const host = upstream.hostname || '127.0.0.1';
  const port = Number(upstream.port || 5432);
  const counts: Counts = { roundTrips: 0, queries: 0, syncs: 0, transactions: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => relay(client, host, port, counts, sockets));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const close = onCleanup('stop the counting proxy', async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = new URL(upstreamUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return { url: url.toString(), counts: () => ({ ...counts }), close };
}

/** b − a, field by field. */
export const diff = (a: Counts, b: Counts): Counts => ({
  roundTrips: b.roundTrips - a.roundTrips,
  queries: b.queries - a.queries,
  syncs: b.syncs - a.syncs,
  transactions: b.transactions - a.transactions,
});
