/**
 * A real server with WS-Security on, over a fresh store, with a first administrator; and a watch
 * on the audit log that reads it straight from PostgreSQL (and through QueryAudit), so a test can
 * assert which rows each call left.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { MANAGEMENT } from '../../src/api/contract';
import { authOptions } from '../../src/api/operation';
import { addUser, type UserSpec } from '../../src/logic/access/users';
import { openTestStore, type BackendKind, type TestStore } from './backends';
import { startServer, type RunningServer } from './server';
import { extractSchema, payload, xmllint } from './xsd';
import {
  ADMIN_NS,
  all,
  call,
  envelope,
  flat,
  postRaw,
  readReply,
  type Credentials,
  type Fields,
  type SoapReply,
} from './soap';

/** A management call as it went over the wire. */
export interface Exchange {
  operation: string;
  sent: string;
  status: number;
  received: string;
}

export const ROOT_USER: Credentials = { username: 'root', password: 'root-password-0001' };

export interface AdminFixture {
  kind: BackendKind;
  db: TestStore;
  server: RunningServer;
  /** The management endpoint (/ipcd-admin) and the commissioning endpoint (/ipcd). */
  adminUrl: string;
  url: string;
  secretKey: Buffer;
  /** Every management call made through admin(), in order. */
  exchanges: Exchange[];
  /** A direct connection to the test database (PostgreSQL only). */
  sql?: Client;
  addUser(spec: UserSpec): Promise<Credentials>;
  /** Management call as root (or `as`; null: without a Security header). */
  admin(op: string, fields?: Fields, as?: Credentials | null): Promise<SoapReply>;
  /** Commissioning call as root (or `as`; null: without a Security header). */
  ipcd(op: string, fields?: Fields, as?: Credentials | null): Promise<SoapReply>;
  close(): Promise<void>;
}

export async function openAdminFixture(kind: BackendKind): Promise<AdminFixture> {
  const db = await openTestStore(kind);
  const secretKey = randomBytes(32);
  const server = await startServer(db.store, { auth: authOptions(true, secretKey) });
  let sql: Client | undefined;
  if (db.url) {
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  }
  const adminUrl = `${server.base}/ipcd-admin`;
  const exchanges: Exchange[] = [];
  const f: AdminFixture = {
    kind,
    db,
    server,
    adminUrl,
    url: server.url,
    secretKey,
    exchanges,
    sql,
    async addUser(spec) {
      await addUser(db.store, spec, secretKey);
      return { username: spec.username, password: spec.password };
    },
    async admin(op, fields = {}, as = ROOT_USER) {
      const sent = envelope(op, fields, as ?? undefined, ADMIN_NS);
      const { status, text } = await postRaw(adminUrl, sent, { SOAPAction: `"${ADMIN_NS}/${op}"` });
      exchanges.push({ operation: op, sent, status, received: text });
      return readReply(status, text, ADMIN_NS);
    },
    ipcd: (op, fields = {}, as = ROOT_USER) => call(server.url, op, fields, as ?? undefined),
    async close() {
      await sql?.end();
      await server.close();
      await db.dispose();
    },
  };
  await f.addUser({ ...ROOT_USER, role: 'admin', digest: true } as UserSpec);
  return f;
}

/** A reply that must not be a fault. */
export function ok(r: SoapReply): SoapReply {
  if (r.fault) throw new Error(`unexpected fault ${r.fault.code}: ${r.fault.message}`);
  return r;
}

/** The fault code of a reply that must be a fault. */
export function faultOf(r: SoapReply): string {
  if (!r.fault) throw new Error(`expected a fault, got ${r.raw.slice(0, 400)}`);
  return r.fault.code;
}

export interface AuditExpectation {
  operation: string;
  objectType: string;
  outcome?: string; // default ok
  actor?: string; // default root
  objectId?: string;
}

export interface AuditRowText {
  id: string;
  actor: string;
  role: string;
  operation: string;
  objectType: string;
  objectId: string | null;
  outcome: string;
}

/**
 * Remembers the newest audit row; `since()` returns the rows written after it (read with SQL on
 * PostgreSQL, through QueryAudit as root on the embedded store) and moves the mark.
 */
export class AuditWatch {
  private last = '0';
  constructor(private readonly f: AdminFixture) {}

  async mark(): Promise<void> {
    const rows = await this.read();
    this.last = rows.length ? rows[rows.length - 1].id : this.last;
  }

  async since(): Promise<AuditRowText[]> {
    const rows = await this.read();
    if (rows.length) this.last = rows[rows.length - 1].id;
    return rows;
  }

  /** Exactly these rows since the mark, in order (objectId compared where expected names one). */
  async expect(expectation: AuditExpectation[] | AuditExpectation): Promise<AuditRowText[]> {
    const expected = Array.isArray(expectation) ? expectation : [expectation];
    const rows = await this.since();
    const got = rows.map((r, i) => ({
      operation: r.operation,
      objectType: r.objectType,
      outcome: r.outcome,
      actor: r.actor,
      ...(expected[i]?.objectId !== undefined ? { objectId: r.objectId } : {}),
    }));
    const want = expected.map((e) => ({
      operation: e.operation,
      objectType: e.objectType,
      outcome: e.outcome ?? 'ok',
      actor: e.actor ?? ROOT_USER.username,
      ...(e.objectId !== undefined ? { objectId: e.objectId } : {}),
    }));
    expect(got).toEqual(want);
    return rows;
  }

  private async read(): Promise<AuditRowText[]> {
    if (this.f.sql) {
      const r = await this.f.sql.query(
        'SELECT id::text, actor, role, operation, object_type, object_id, outcome FROM audit_log WHERE id > $1::bigint ORDER BY audit_log.id',
        [this.last],
      );
      return r.rows.map((x) => ({
        id: x.id,
        actor: x.actor,
        role: x.role,
        operation: x.operation,
        objectType: x.object_type,
        objectId: x.object_id,
        outcome: x.outcome,
      }));
    }
    return (await queryAuditAll(this.f, {})).filter((e) => BigInt(e.id) > BigInt(this.last));
  }
}

/** Every QueryAudit entry matching the filter, following nextPage. */
export async function queryAuditAll(
  f: AdminFixture,
  filter: Fields,
  as: Credentials = ROOT_USER,
): Promise<AuditRowText[]> {
  const out: AuditRowText[] = [];
  for (let after: string | undefined; ;) {
    const r = ok(await f.admin('QueryAudit', { ...filter, pageSize: 1000, after }, as));
    for (const e of all(r.body, 'entry')) {
      const x = flat(e);
      out.push({
        id: x.id,
        actor: x.user,
        role: x.role,
        operation: x.operation,
        objectType: x.objectType,
        objectId: x.objectId ?? null,
        outcome: x.outcome,
      });
    }
    after = r.values.nextPage;
    if (!after) return out;
  }
}

/** What xmllint said of recorded management exchanges (validateExchanges). */
export interface ExchangesChecked {
  /** The exchanges checked: all but requests the server rightly refused as malformed. */
  checked: Exchange[];
  files: string[];
  /** xmllint's lines other than "<file> validates". */
  failures: string[];
  validated: number;
  code: number;
}

/**
 * Each exchange's request and its response (or fault's IpcdFault) as standalone documents,
 * validated with xmllint against the schema in wsdl/ipcd-admin.wsdl. Requests refused with
 * INVALID_REQUEST are left out: they are not meant to validate.
 */
export async function validateExchanges(exchanges: Exchange[]): Promise<ExchangesChecked> {
  const dir = mkdtempSync(join(tmpdir(), 'ipcd-admin-xsd-'));
  try {
    const xsd = join(dir, 'admin.xsd');
    await extractSchema(MANAGEMENT.wsdlFile, xsd);
    const checked = exchanges.filter(
      (x) => !(x.status === 500 && x.received.includes('<ipcd:code>INVALID_REQUEST</ipcd:code>')),
    );
    const files: string[] = [];
    checked.forEach((x, i) => {
      const fault = x.status === 500;
      for (const [kind, doc] of [
        ['request', payload(x.sent)],
        [fault ? 'fault' : 'response', payload(x.received, fault, ADMIN_NS)],
      ]) {
        const file = join(dir, `${String(i).padStart(4, '0')}-${x.operation}-${kind}.xml`);
        writeFileSync(file, doc);
        files.push(file);
      }
    });
    const r = await xmllint(['--noout', '--schema', xsd, ...files]);
    const lines = r.stderr.split('\n').filter(Boolean);
    return {
      checked,
      files,
      failures: lines.filter((l) => !l.endsWith(' validates')),
      validated: lines.filter((l) => l.endsWith(' validates')).length,
      code: r.code,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
