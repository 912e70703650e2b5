/**
 * libpq's host list and target_session_attrs for node-postgres, which has neither: every new pool
 * connection goes to the server that last served, and when that fails (refused, or a standby),
 * the list is probed again — all hosts at once, the first in list order that qualifies wins. So
 * after a failover (the standby promoted), ipcd finds the new primary by itself; until then the
 * connects fail and requests get UNAVAILABLE (db-errors.ts).
 */
import { Client } from 'pg';
import { formatHost, type DatabaseTarget, type DbHost } from './db-url';

/** What a connection needs to be: the probe and the pool's connections check the same thing. */
async function qualifies(c: Client, readWrite: boolean): Promise<boolean> {
  if (!readWrite) return true;
  const r = await c.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
  return r.rows[0]?.transaction_read_only === 'off';
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

export class PrimaryFinder {
  private known: DbHost | null = null;
  private finding: Promise<DbHost> | null = null;

  constructor(
    private readonly target: DatabaseTarget,
    private readonly connectTimeoutMs: number,
  ) {}

  /** The server to connect to: the one that last served, else the first in the list that qualifies. */
  current(): Promise<DbHost> {
    if (this.known) return Promise.resolve(this.known);
    return (this.finding ??= this.find().finally(() => (this.finding = null)));
  }

  /** A connection to `h` failed or did not qualify: ask the list again next time. */
  forget(h: DbHost): void {
    if (this.known === h) this.known = null;
  }

  private async find(): Promise<DbHost> {
    const results = await Promise.allSettled(this.target.hosts.map((h) => this.probe(h)));
    const why: string[] = [];
    for (const [i, r] of results.entries()) {
      const h = this.target.hosts[i];
      if (r.status === 'fulfilled' && r.value) return (this.known = h);
      why.push(`${formatHost(h)} ${r.status === 'fulfilled' ? 'is read-only' : (r.reason as Error)?.message}`);
    }
    // 08001: "unable to establish connection", as libpq reports it.
    throw withCode(
      `no ${this.target.readWrite ? 'read-write ' : ''}database server answered: ${why.join('; ')}`,
      '08001',
    );
  }

  private async probe(h: DbHost): Promise<boolean> {
    const c = new Client({ connectionString: this.target.urlFor(h), connectionTimeoutMillis: this.connectTimeoutMs });
    c.on('error', () => undefined); // a probe's late socket error must not crash the process
    try {
      await c.connect();
      return await qualifies(c, this.target.readWrite);
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}

type ConnectCallback = ((err: Error) => void) | ((err: null, c: Client) => void);

/** A pg Client class for the pool: it connects where the finder says, and checks what it reached. */
export function hostListClient(finder: PrimaryFinder, readWrite: boolean): typeof Client {
  return class HostListClient extends Client {
    override connect(): Promise<Client>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<Client> | void {
      const done = this.connectToCurrent();
      if (!callback) return done;
      const cb = callback as (err: Error | null, c?: Client) => void;
      done.then(
        (c) => cb(null, c),
        (e: Error) => cb(e),
      );
    }

    private async connectToCurrent(): Promise<Client> {
      const h = await finder.current();
      // Set before connecting: pg reads host and port when it opens the socket.
      const params = (this as unknown as { connectionParameters: { host: string; port: number } }).connectionParameters;
      this.host = params.host = h.host;
      this.port = params.port = h.port;
      let connected = false;
      try {
        await super.connect();
        connected = true;
        // A server that was the primary may be a standby now (failed over and rejoined).
        if (!(await qualifies(this, readWrite)))
          throw withCode(`${formatHost(h)} is read-only: not the primary (any more)`, '25006');
        return this;
      } catch (e) {
        finder.forget(h);
        if (connected) await this.end().catch(() => undefined);
        throw e;
      }
    }
  };
}

/** TypeORM data source settings for a target: one URL as before, or the host list. */
export function postgresConnection(
  target: DatabaseTarget,
  poolSize: number,
): { url: string; connectTimeoutMS?: number; extra: Record<string, unknown> } {
  const timeout = target.connectTimeoutMs;
  if (target.hosts.length === 1 && !target.readWrite)
    return { url: target.url, connectTimeoutMS: timeout, extra: { max: poolSize } };
  // A dead host must not hold up the search for the live one: 5 s unless the URL says otherwise.
  const connectTimeoutMS = timeout ?? 5000;
  const finder = new PrimaryFinder(target, connectTimeoutMS);
  return {
    url: target.url,
    connectTimeoutMS,
    extra: { max: poolSize, Client: hostListClient(finder, target.readWrite) },
  };
}
