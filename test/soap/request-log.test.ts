/**
 * Every request's log lines carry its request id without the handler naming it (a winston child
 * logger per request, src/request.ts): the commissioning service's direct path, the management
 * service through node-soap, and a request the guard refuses. The id is the caller's X-Request-Id
 * when well-formed, else a new one; the reply's X-Request-Id header is the one logged.
 */
import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import winston from 'winston';
import { createApp } from '../../src/app';
import { authOptions } from '../../src/api/operation';
import { addDataCenter, addNetwork } from '../../src/logic/topology/topology';
import { openTestStore, type TestStore } from '../support/backends';
import { ADMIN_NS, envelope } from '../support/soap';

let db: TestStore;
let server: Server;
let base: string;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  db = await openTestStore('embedded');
  await addDataCenter(db.store, 'dc1');
  await addNetwork(db.store, { name: 'n1', cidr: '10.9.0.0/24', dataCenter: 'dc1', vlan: 9 });
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const log = winston.createLogger({
    level: 'info',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream: sink })],
  });
  const app = await createApp({ store: db.store, log, maxBodyBytes: 64 * 1024, auth: authOptions(false) });
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  server?.closeAllConnections();
  await db?.dispose();
});

async function post(path: string, body: string, requestId?: string) {
  const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' };
  if (requestId !== undefined) headers['x-request-id'] = requestId;
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body });
  await res.text();
  return res.headers.get('x-request-id');
}
const linesOf = (id: string | null) => lines.filter((l) => l.requestId === id);

test("the direct path (CommissionIP): the request line carries the caller's id", async () => {
  const echoed = await post(
    '/ipcd',
    envelope('CommissionIP', { dataCenter: 'dc1', vlan: 9, serverInstance: 'vm-log' }),
    'orch-42.a:b',
  );
  expect(echoed).toBe('orch-42.a:b');
  expect(linesOf('orch-42.a:b')).toEqual([
    expect.objectContaining({ message: 'request', operation: 'CommissionIP', outcome: 'ok', level: 'info' }),
  ]);
});

test('node-soap (ListDataCenters on the management service) logs under the same id', async () => {
  await post('/ipcd-admin', envelope('ListDataCenters', {}, undefined, ADMIN_NS), 'admin-7');
  expect(linesOf('admin-7')).toEqual([
    expect.objectContaining({ message: 'request', operation: 'ListDataCenters', outcome: 'ok' }),
  ]);
});

test('a request the guard refuses, with an ill-formed X-Request-Id: a new id, logged and echoed', async () => {
  const echoed = await post('/ipcd', '<not-xml', 'bad id with spaces');
  expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
  expect(linesOf('bad id with spaces')).toEqual([]);
  expect(linesOf(echoed)).toEqual([
    expect.objectContaining({ message: 'request', operation: null, outcome: 'fault', faultCode: 'INVALID_REQUEST' }),
  ]);
});

test("lines of concurrent requests never borrow another request's id", async () => {
  const ids = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
  await Promise.all(
    ids.map((id, i) =>
      post('/ipcd', envelope('CommissionIP', { dataCenter: 'dc1', vlan: 9, serverInstance: `vm-burst-${i}` }), id),
    ),
  );
  for (const id of ids) expect(linesOf(id)).toHaveLength(1);
});
