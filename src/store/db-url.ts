/**
 * DATABASE_URL with more than one host, as libpq writes it:
 * `postgres://user:pass@db1:5432,db2:5432/ipcd?target_session_attrs=read-write&connect_timeout=5`.
 * node-postgres reads one host only, so the list is taken apart here (see host-list.ts).
 */
export interface DbHost {
  host: string;
  port: number;
}

export interface DatabaseTarget {
  /** The URL of the first host, without the parameters handled here. */
  url: string;
  hosts: DbHost[];
  /** The same URL for another host of the list. */
  urlFor(h: DbHost): string;
  /** target_session_attrs read-write (or primary): only a server that takes writes will do. */
  readWrite: boolean;
  /** connect_timeout (seconds in the URL); undefined when not given. */
  connectTimeoutMs?: number;
}

const ATTRS = new Set(['any', 'read-write', 'primary']);

export function parseDatabaseUrl(raw: string): DatabaseTarget {
  const m = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/.exec(raw);
  if (!m) throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL');
  const [, scheme, auth = '', hostList, rest] = m;
  const hosts = hostList.split(',').map(parseHost);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
  const attrs = params.get('target_session_attrs') ?? 'any';
  if (!ATTRS.has(attrs))
    throw new Error(
      `DATABASE_URL: target_session_attrs must be any, read-write or primary (ipcd writes), got '${attrs}'`,
    );
  const timeout = params.get('connect_timeout');
  if (timeout !== null && !/^\d{1,5}$/.test(timeout))
    throw new Error(`DATABASE_URL: connect_timeout is whole seconds, got '${timeout}'`);
  params.delete('target_session_attrs');
  params.delete('connect_timeout');
  const query = params.toString();
  const urlFor = (h: DbHost) => `${scheme}${auth}${formatHost(h)}${path}${query ? `?${query}` : ''}`;
  return {
    url: urlFor(hosts[0]),
    hosts,
    urlFor,
    readWrite: attrs !== 'any',
    connectTimeoutMs: timeout !== null && Number(timeout) > 0 ? Number(timeout) * 1000 : undefined,
  };
}

function parseHost(text: string): DbHost {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m || (m[2] !== undefined && Number(m[2]) > 65535))
    throw new Error(`DATABASE_URL: '${text}' is not a host or host:port`);
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port: m[2] === undefined ? 5432 : Number(m[2]) };
}

export const formatHost = (h: DbHost) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
