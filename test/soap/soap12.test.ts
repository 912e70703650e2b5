/**
 * SOAP 1.2 beside SOAP 1.1 on both endpoints, through the real server (authentication on):
 * a request is answered in its envelope's version; SOAP 1.2 replies are application/soap+xml,
 * faults carry env:Code (Sender → HTTP 400, Receiver and MustUnderstand → 500), env:Reason and
 * the same tns:IpcdFault in env:Detail; an Envelope of another namespace gets VersionMismatch with
 * the Upgrade header, in the version the media type names, on both endpoints; a SOAP 1.2
 * envelope sent as text/xml is answered in SOAP 1.2; WS-Security, mustUnderstand and the size
 * limit hold in 1.2; a server-side refusal (NAME_EXHAUSTED) is env:Receiver with HTTP 500. Replies
 * declare only the namespaces they use.
 */
import { randomBytes } from 'node:crypto';
import { loadExampleTopology } from '../../src/example/topology';
import { addUser } from '../../src/logic/access/users';
import { authOptions } from '../../src/api/operation';
import { faultEnvelope, faultStatus } from '../../src/api/fault';
import { NAME_BLOCK } from '../../src/logic/allocation/name-numbers';
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import {
  ADMIN_NS,
  call,
  envelope,
  NS,
  parseXml,
  postRaw,
  readReply,
  type Credentials,
  type Fields,
} from '../support/soap';
import { call12, envelope12, post12, readReply12, SOAP11, SOAP12, SOAP12_TYPE, type Reply12 } from '../support/soap12';

const ORCH: Credentials = { username: 'orch12', password: 'orchestrator-pass-12' };
const DIGEST: Credentials = { username: 'digest12', password: 'digest-account-pass-12', digest: true };
const ADMIN: Credentials = { username: 'admin12', password: 'administrator-pass-12' };
const MAX_BODY = 8192;

/** A fresh store with the example topology and ORCH, an orchestrator of dc1. */
async function exampleStore(): Promise<TestStore> {
  const db = await openTestStore('postgres');
  await loadExampleTopology(db.store);
  await addUser(db.store, { ...ORCH, role: 'orchestrator', grants: [{ dataCenter: 'dc1' }] });
  return db;
}

/** A SOAP 1.2 fault as every path writes it: the media type, env:Reason in English equal to the IpcdFault's message. */
function expectFault12(r: Reply12, want: { status: number; value: string; code: string; message: RegExp }): void {
  expect({ status: r.status, type: r.type }).toEqual({ status: want.status, type: SOAP12_TYPE });
  expect(r.fault).toMatchObject({
    value: want.value,
    lang: 'en',
    code: want.code,
    message: expect.stringMatching(want.message),
  });
  expect(r.fault?.reason).toBe(r.fault?.message);
}

/** Every namespace declared anywhere in a document, as prefix=uri. */
function declared(xml: string): string[] {
  return [...xml.matchAll(/xmlns(?::([\w.-]+))?="([^"]*)"/g)].map((m) => `${m[1] ?? ''}=${m[2]}`);
}

describe('SOAP 1.2 through the real server', () => {
  let db: TestStore;
  let server: RunningServer;
  let admin: string;

  beforeAll(async () => {
    db = await exampleStore();
    const secretKey = randomBytes(32);
    await addUser(
      db.store,
      {
        username: DIGEST.username,
        password: DIGEST.password,
        role: 'orchestrator',
        grants: [{ dataCenter: 'dc1' }],
        digest: true,
      },
      secretKey,
    );
    await addUser(db.store, { username: ADMIN.username, password: ADMIN.password, role: 'admin' });
    server = await startServer(db.store, { auth: authOptions(true, secretKey), maxBodyBytes: MAX_BODY });
    admin = `${server.base}/ipcd-admin`;
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  test('a SOAP 1.2 CommissionIP gets a SOAP 1.2 response as application/soap+xml, with PasswordText and PasswordDigest', async () => {
    for (const [who, instance] of [
      [ORCH, 'vm12-text'],
      [DIGEST, 'vm12-digest'],
    ] as const) {
      const r = await call12(
        server.url,
        'CommissionIP',
        { dataCenter: 'dc1', vlan: 100, serverInstance: instance, wantName: true },
        who,
      );
      expect({ status: r.status, type: r.type, fault: r.fault }).toEqual({
        status: 200,
        type: SOAP12_TYPE,
        fault: undefined,
      });
      expect({ element: r.body.name, ns: r.body.uri }).toEqual({ element: 'CommissionIPResponse', ns: NS });
      expect(r.values).toMatchObject({
        dataCenter: 'dc1',
        vlan: '100',
        network: 'dc1-v100-a',
        zone: 'dc1.example.com',
      });
      // The envelope declares SOAP 1.2's namespace, the response its own: nothing else.
      expect(declared(r.raw)).toEqual([`env=${SOAP12}`, `=${NS}`]);
    }
    const rows = await db.store.dataSource.query(
      `SELECT count(*)::int AS n FROM allocation WHERE server_instance LIKE 'vm12-%' AND released_at IS NULL`,
    );
    expect(rows[0].n).toBe(2);
  });

  test('the batch operations have their SOAP 1.2 binding: one result per item, an item refused as in 1.1', async () => {
    const items = [
      { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm12-batch' },
      { dataCenter: 'dc1', vlan: 999, serverInstance: 'vm12-batch-x' },
    ];
    const r = await call12(server.url, 'CommissionIPBatch', { CommissionIP: items }, ORCH);
    expect({ status: r.status, type: r.type, fault: r.fault, element: r.body.name, ns: r.body.uri }).toEqual({
      status: 200,
      type: SOAP12_TYPE,
      fault: undefined,
      element: 'CommissionIPBatchResponse',
      ns: NS,
    });
    expect({ succeeded: r.values.succeeded, failed: r.values.failed }).toEqual({ succeeded: '1', failed: '1' });
    const outcome = (x: (typeof r.body.children)[number]) => x.children.find((c) => c.name !== 'item')!;
    const results = r.body.children.filter((c) => c.name === 'result').map(outcome);
    expect(results.map((c) => c.name)).toEqual(['CommissionIPResponse', 'IpcdFault']);
    expect(results[1].children.find((c) => c.name === 'code')!.text).toBe('UNKNOWN_VLAN');
    const d = await call12(
      server.url,
      'DecommissionIPBatch',
      { DecommissionIP: [{ dataCenter: 'dc1', vlan: 100, serverInstance: 'vm12-batch' }] },
      ORCH,
    );
    expect({ status: d.status, element: d.body.name, succeeded: d.values.succeeded }).toEqual({
      status: 200,
      element: 'DecommissionIPBatchResponse',
      succeeded: '1',
    });
  });

  test('SOAP 1.1 is still answered in SOAP 1.1 on the same endpoint', async () => {
    const r = await call(
      server.url,
      'DecommissionIP',
      { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm12-text' },
      ORCH,
    );
    expect({ status: r.status, released: r.values.releasedCount }).toEqual({ status: 200, released: '1' });
    expect(parseXml(r.raw).uri).toBe(SOAP11);
  });

  test('a SOAP 1.2 envelope sent as text/xml is answered in SOAP 1.2: the envelope decides, not the media type', async () => {
    // README "SOAP 1.1 and SOAP 1.2": the envelope's namespace says which version a request speaks
    // and the reply speaks it too; the media type decides only before the envelope is read.
    const asTextXml = (url: string, xml: string, action: string) =>
      post12(url, xml, undefined, { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${action}"` });
    const ok = await asTextXml(
      server.url,
      envelope12('NameOnly', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm12-textxml' }, ORCH),
      `${NS}/NameOnly`,
    );
    const r = readReply12(ok.status, ok.type, ok.text);
    expect({ status: r.status, type: r.type, fault: r.fault, element: r.body.name }).toEqual({
      status: 200,
      type: SOAP12_TYPE,
      fault: undefined,
      element: 'NameOnlyResponse',
    });
    // A refusal too is SOAP 1.2's: a Sender fault, HTTP 400.
    const refused = await asTextXml(
      server.url,
      envelope12('NameOnly', { dataCenter: 'dc1', vlan: 999, serverInstance: 'vm12-textxml-x' }, ORCH),
      `${NS}/NameOnly`,
    );
    const f = readReply12(refused.status, refused.type, refused.text);
    expect({ status: f.status, type: f.type, value: f.fault?.value, code: f.fault?.code }).toEqual({
      status: 400,
      type: SOAP12_TYPE,
      value: 'env:Sender',
      code: 'UNKNOWN_VLAN',
    });
    // The management service reads the envelope the same way.
    const m = await asTextXml(admin, envelope12('ListDataCenters', {}, ADMIN, ADMIN_NS), `${ADMIN_NS}/ListDataCenters`);
    const mr = readReply12(m.status, m.type, m.text, ADMIN_NS);
    expect({ status: mr.status, type: mr.type, fault: mr.fault, element: mr.body.name }).toEqual({
      status: 200,
      type: SOAP12_TYPE,
      fault: undefined,
      element: 'ListDataCentersResponse',
    });
    await call(server.url, 'DecommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm12-textxml' }, ORCH);
  });

  test('a refusal is a SOAP 1.2 Sender fault, HTTP 400, with env:Reason and the typed IpcdFault in env:Detail', async () => {
    const r = await call12(
      server.url,
      'CommissionIP',
      { dataCenter: 'dc1', vlan: 999, serverInstance: 'vm12-x' },
      ORCH,
    );
    expectFault12(r, { status: 400, value: 'env:Sender', code: 'UNKNOWN_VLAN', message: /VLAN 999/ });
    expect(declared(r.raw)).toEqual([`env=${SOAP12}`, `ipcd=${NS}`]);
  });

  test('WS-Security over SOAP 1.2: a wrong password and a missing token are Sender faults', async () => {
    const wrong = await call12(
      server.url,
      'NameOnly',
      { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm12-w' },
      { ...ORCH, password: 'not-the-password' },
    );
    expect({ status: wrong.status, value: wrong.fault?.value, code: wrong.fault?.code }).toEqual({
      status: 400,
      value: 'env:Sender',
      code: 'AUTHENTICATION_FAILED',
    });
    const none = await call12(server.url, 'NameOnly', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm12-w' });
    expect({ status: none.status, code: none.fault?.code }).toEqual({ status: 400, code: 'AUTHENTICATION_FAILED' });
    const denied = await call12(admin, 'AddDataCenter', { name: 'dc12' }, ORCH, ADMIN_NS);
    expect({ status: denied.status, code: denied.fault?.code }).toEqual({ status: 400, code: 'ACCESS_DENIED' });
  });

  test('the action parameter of application/soap+xml is checked against the body, as SOAPAction is', async () => {
    const r = await post12(
      server.url,
      envelope12('CommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm12-a' }, ORCH),
      `${NS}/DecommissionIP`,
    );
    const reply = readReply12(r.status, r.type, r.text);
    expect({ status: r.status, code: reply.fault?.code, value: reply.fault?.value }).toEqual({
      status: 400,
      code: 'INVALID_REQUEST',
      value: 'env:Sender',
    });
    expect(reply.fault?.message).toMatch(/does not match the body's operation CommissionIP/);
  });

  test('a mandatory header ipcd does not understand is env:MustUnderstand (HTTP 500); one for another role is not ours', async () => {
    const header = (attrs: string) => `<x:Trace xmlns:x="urn:example:trace" ${attrs}>1</x:Trace>`;
    const withHeader = (attrs: string) =>
      envelope12('NameOnly', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm12-mu' }, ORCH).replace(
        '</wsse:Security>',
        `</wsse:Security>${header(attrs)}`,
      );
    const mu = await post12(server.url, withHeader('soapenv:mustUnderstand="true"'));
    const r = readReply12(mu.status, mu.type, mu.text);
    expect({ status: mu.status, value: r.fault?.value, code: r.fault?.code }).toEqual({
      status: 500,
      value: 'env:MustUnderstand',
      code: 'MUST_UNDERSTAND',
    });
    const other = await post12(
      server.url,
      withHeader(`soapenv:mustUnderstand="true" soapenv:role="${SOAP12}/role/none"`),
    );
    expect(readReply12(other.status, other.type, other.text).fault).toBeUndefined();
    expect(other.status).toBe(200);
  });

  test('SOAP 1.2 forbids processing instructions', async () => {
    const xml = envelope12('NameOnly', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm12-pi' }, ORCH).replace(
      '<soapenv:Body>',
      '<soapenv:Body><?evil x?>',
    );
    const r = await post12(server.url, xml);
    const reply = readReply12(r.status, r.type, r.text);
    expect({ status: r.status, code: reply.fault?.code }).toEqual({ status: 400, code: 'INVALID_REQUEST' });
    expect(reply.fault?.message).toMatch(/processing instruction/);
  });

  test('a body over the size limit sent as application/soap+xml is refused in SOAP 1.2', async () => {
    const big = envelope12('NameOnly', { dataCenter: 'dc1', vlan: 100, serverInstance: 'x'.repeat(MAX_BODY) }, ORCH);
    const r = await post12(server.url, big);
    const reply = readReply12(r.status, r.type, r.text);
    expect({ status: r.status, type: r.type, code: reply.fault?.code }).toEqual({
      status: 400,
      type: SOAP12_TYPE,
      code: 'REQUEST_TOO_LARGE',
    });
  });

  describe('VersionMismatch', () => {
    const foreign = 'http://www.w3.org/2003/05/soap-envelopeX';
    const body = () => envelope('NameOnly', { vlan: 100, serverInstance: 'vm12-vm' }, ORCH).split(SOAP11).join(foreign);

    test('as SOAP 1.2 (application/soap+xml): env:VersionMismatch with env:Upgrade listing both envelopes, on both endpoints', async () => {
      for (const [url, ns] of [
        [server.url, NS],
        [admin, ADMIN_NS],
      ]) {
        const r = await post12(url, body());
        expect({ url, status: r.status, type: r.type }).toEqual({ url, status: 500, type: SOAP12_TYPE });
        const root = parseXml(r.text);
        const upgrade = root.children.find((c) => c.name === 'Header' && c.uri === SOAP12)?.children[0];
        expect({ name: upgrade?.name, uri: upgrade?.uri }).toEqual({ name: 'Upgrade', uri: SOAP12 });
        expect(r.text).toMatch(
          new RegExp(
            `<env:SupportedEnvelope qname="v12:Envelope" xmlns:v12="${SOAP12}"/><env:SupportedEnvelope qname="v11:Envelope" xmlns:v11="${SOAP11}"/>`,
          ),
        );
        const reply = readReply12(r.status, r.type, r.text, ns);
        expect(reply.fault).toMatchObject({ value: 'env:VersionMismatch', code: '' });
        expect(reply.fault?.reason).toContain(foreign);
      }
    });

    test("as SOAP 1.1 (text/xml): soap:VersionMismatch, with the Upgrade header in SOAP 1.2's namespace", async () => {
      for (const url of [server.url, admin]) {
        const r = await postRaw(url, body());
        expect(r.status).toBe(500);
        const root = parseXml(r.text);
        expect(root.uri).toBe(SOAP11);
        const upgrade = root.children.find((c) => c.name === 'Header')?.children[0];
        expect({ name: upgrade?.name, uri: upgrade?.uri }).toEqual({ name: 'Upgrade', uri: SOAP12 });
        const fault = root.children.find((c) => c.name === 'Body')!.children[0];
        expect(fault.children.find((c) => c.name === 'faultcode')?.text).toBe('soap:VersionMismatch');
      }
    });

    test('the metrics count it as VERSION_MISMATCH, not INVALID_REQUEST', async () => {
      expect(await server.metrics.text()).toMatch(
        /ipcd_rejected_requests_total\{fault_code="VERSION_MISMATCH"\} [1-9]/,
      );
    });
  });

  describe('the management service', () => {
    test('answers SOAP 1.2 in SOAP 1.2, declaring only the namespaces it uses', async () => {
      const r = await call12(admin, 'ListDataCenters', {}, ADMIN, ADMIN_NS);
      expect({ status: r.status, type: r.type, element: r.body.name, fault: r.fault }).toEqual({
        status: 200,
        type: SOAP12_TYPE,
        element: 'ListDataCentersResponse',
        fault: undefined,
      });
      expect(r.body.children.filter((c) => c.name === 'dataCenter').length).toBe(2);
      expect(declared(r.raw)).toEqual([`soap=${SOAP12}`, `=${ADMIN_NS}`]);
    });

    test("answers SOAP 1.1 in SOAP 1.1 without the WSDL's namespaces on the envelope (no tns, jaxws, wsp, sp, wsu)", async () => {
      const { status, text } = await postRaw(admin, envelope('ListDataCenters', {}, ADMIN, ADMIN_NS), {
        SOAPAction: `"${ADMIN_NS}/ListDataCenters"`,
      });
      expect(status).toBe(200);
      expect(declared(text)).toEqual([`soap=${SOAP11}`, `=${ADMIN_NS}`]);
    });

    test("a refusal over SOAP 1.2 is a Sender fault with the management namespace's IpcdFault", async () => {
      const r = await call12(admin, 'RemoveDataCenter', { name: 'no-such-dc' }, ADMIN, ADMIN_NS);
      expect({ status: r.status, type: r.type, value: r.fault?.value, code: r.fault?.code }).toEqual({
        status: 400,
        type: SOAP12_TYPE,
        value: 'env:Sender',
        code: 'UNKNOWN_DATA_CENTER',
      });
      expect(r.fault?.reason).toBe(r.fault?.message);
      expect(declared(r.raw)).toEqual([`env=${SOAP12}`, `ipcd=${ADMIN_NS}`]);
    });

    test('a change over SOAP 1.2 is made and audited like one over 1.1', async () => {
      const r = await call12(
        admin,
        'AddDataCenter',
        { name: 'dc12', description: 'added over SOAP 1.2' },
        ADMIN,
        ADMIN_NS,
      );
      expect({ status: r.status, fault: r.fault }).toEqual({ status: 200, fault: undefined });
      const rows = await db.store.dataSource.query(`SELECT name FROM data_center WHERE name = 'dc12'`);
      expect(rows).toEqual([{ name: 'dc12' }]);
      const audit = await db.store.dataSource.query(
        `SELECT operation, outcome FROM audit_log WHERE operation = 'AddDataCenter' ORDER BY id DESC LIMIT 1`,
      );
      expect(audit).toEqual([{ operation: 'AddDataCenter', outcome: 'ok' }]);
    });

    test('the guard refuses hostile input over SOAP 1.2 before node-soap (a DTD)', async () => {
      const xml =
        `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>` +
        envelope12('ListDataCenters', {}, ADMIN, ADMIN_NS).replace(/^<\?xml[^>]*>/, '');
      const r = await post12(admin, xml);
      const reply = readReply12(r.status, r.type, r.text, ADMIN_NS);
      expect({ status: r.status, code: reply.fault?.code }).toEqual({ status: 400, code: 'INVALID_REQUEST' });
    });
  });

  test('a server-side code is env:Receiver with HTTP 500 (the fault writer every path uses)', () => {
    expect(faultStatus('UNAVAILABLE', '1.2')).toBe(500);
    const xml = faultEnvelope({ code: 'UNAVAILABLE', message: 'the database is not reachable' }, NS, '1.2');
    expect(readReply12(500, SOAP12_TYPE, xml).fault).toMatchObject({ value: 'env:Receiver', code: 'UNAVAILABLE' });
    // SOAP 1.1 is unchanged: always 500, soap:Server.
    expect(faultStatus('UNKNOWN_VLAN', '1.1')).toBe(500);
    expect(readReply(500, faultEnvelope({ code: 'UNAVAILABLE', message: 'x' }, NS)).fault?.faultcode).toBe(
      'soap:Server',
    );
  });
});

/**
 * A Receiver-class fault (SERVER_CODES in src/api/fault.ts) through the real HTTP server: a fresh
 * store and server of its own, so the zone's name numbers are known. Every name NameOnly would
 * try for the hint is taken first (the hint itself, and hint-N for the numbers of the server's
 * first two blocks of the zone's sequence: each exhausted call uses up one block of 32), so the
 * next two NameOnly calls end in NAME_EXHAUSTED.
 */
describe('SOAP 1.2 Receiver faults through the real server', () => {
  let db: TestStore;
  let server: RunningServer;
  const HINT = 'full';

  beforeAll(async () => {
    db = await exampleStore();
    server = await startServer(db.store, { auth: authOptions(true) });
    // No number is reserved yet: the server's first block of the zone starts at next_seq.
    const [{ first }] = await db.store.dataSource.query(
      `SELECT next_seq::int AS first FROM zone WHERE name = 'dc1.example.com'`,
    );
    const taken = [HINT, ...Array.from({ length: 2 * NAME_BLOCK }, (_, i) => `${HINT}-${first + i}`)];
    for (const [i, name] of taken.entries()) {
      // Each hint is free, so it is the name issued and no number is used.
      const r = await call12(
        server.url,
        'NameOnly',
        { dataCenter: 'dc1', vlan: 100, serverInstance: `vm12-fill-${i}`, hostnameHint: name },
        ORCH,
      );
      expect({ status: r.status, name: r.values.name }).toEqual({ status: 200, name });
    }
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });
  /** NameOnly with the hint whose every name is taken, in either version. */
  const exhaust = <R>(
    send: (url: string, op: string, f: Fields, c: Credentials) => Promise<R>,
    serverInstance: string,
  ) => send(server.url, 'NameOnly', { dataCenter: 'dc1', vlan: 100, serverInstance, hostnameHint: HINT }, ORCH);

  test('NAME_EXHAUSTED over SOAP 1.2 is env:Receiver, HTTP 500, application/soap+xml, with env:Reason and the IpcdFault', async () => {
    const r = await exhaust(call12, 'vm12-exhausted');
    expectFault12(r, {
      status: 500,
      value: 'env:Receiver',
      code: 'NAME_EXHAUSTED',
      message: /no unused name found after 32 tries/,
    });
    // env:Code/env:Value is SOAP 1.2's QName, its prefix bound to SOAP 1.2's namespace.
    expect(r.raw).toMatch(/<env:Code><env:Value>env:Receiver<\/env:Value><\/env:Code>/);
    expect(declared(r.raw)).toEqual([`env=${SOAP12}`, `ipcd=${NS}`]);
    // The refused request issued nothing.
    const rows = await db.store.dataSource.query(
      `SELECT count(*)::int AS n FROM allocation WHERE server_instance = 'vm12-exhausted'`,
    );
    expect(rows[0].n).toBe(0);
  });

  test('the same request over SOAP 1.1 is soap:Server, HTTP 500', async () => {
    const r = await exhaust(call, 'vm11-exhausted');
    expect({ status: r.status, faultcode: r.fault?.faultcode, code: r.fault?.code }).toEqual({
      status: 500,
      faultcode: 'soap:Server',
      code: 'NAME_EXHAUSTED',
    });
  });
});
