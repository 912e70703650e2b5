/**
 * A small local HTTP proxy in front of a real server that loses replies, stalls, or answers with
 * a canned reply for chosen requests: clients' retries are checked against what really arrived.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does with its n-th request (1-based). */
export type Behaviour =
  | { kind: 'forward' }
  /** Forward, let the server answer, then cut the connection: the reply is lost. */
  | { kind: 'drop' }
  /** Forward, then hold the server's reply back for ms. */
  | { kind: 'delay'; ms: number }
  /** Never forward, never answer. */
  | { kind: 'hang' }
  | { kind: 'reply'; status: number; body: string };

export interface Proxy {
  url: string;
  /** Requests received so far, with their bodies and headers. */
  requests: { body: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function startProxy(target: string, behave: (n: number) => Behaviour): Promise<Proxy> {
  const requests: Proxy['requests'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push({ body, headers: req.headers });
    const b = behave(requests.length);
    if (b.kind === 'hang') return;
    if (b.kind === 'reply') {
      res.writeHead(b.status, { 'Content-Type': 'text/xml; charset=utf-8' }).end(b.body);
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8' };
    for (const h of ['soapaction', 'x-request-id'])
      if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
    const upstream = await fetch(target, { method: 'POST', headers, body });
    const text = await upstream.text();
    if (b.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (b.kind === 'delay') await new Promise((r) => setTimeout(r, b.ms));
    if (req.socket.destroyed) return;
    res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'text/xml' }).end(text);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${new URL(target).pathname}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export const FORWARD: Behaviour = { kind: 'forward' };
/** The first `n` requests get `first`, the rest are forwarded. */
export const firstThen = (n: number, first: Behaviour) => (i: number) => (i <= n ? first : FORWARD);
