/**
 * The SOAP endpoints over HTTP besides POST: GET ?wsdl is the contract; a bare GET (or any other
 * method) is 405 with Allow: POST and a line that points at ?wsdl; other query forms are 404 —
 * never node-soap's empty 200 without a content type.
 */
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';

let db: TestStore;
let server: RunningServer;
beforeAll(async () => {
  db = await openTestStore('embedded');
  server = await startServer(db.store);
});
afterAll(async () => {
  await server?.close();
  await db?.dispose();
});

describe.each(['/ipcd', '/ipcd-admin'])('%s', (endpoint) => {
  test('GET ?wsdl (any case) is the WSDL', async () => {
    for (const q of ['?wsdl', '?WSDL']) {
      const res = await fetch(`${server.base}${endpoint}${q}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(await res.text()).toContain('<wsdl:definitions');
    }
  });

  test('a bare GET, HEAD, PUT or DELETE is 405 with Allow: POST, pointing at ?wsdl', async () => {
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${server.base}${endpoint}`, { method });
      expect([method, res.status, res.headers.get('allow')]).toEqual([method, 405, 'POST']);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      if (method !== 'HEAD') expect(await res.text()).toContain(`${endpoint}?wsdl`);
    }
  });

  test('query forms other than ?wsdl are 404', async () => {
    for (const q of ['?xsd', '?xsd=1', '?disco', '?singleWsdl', '?foo=wsdl']) {
      const res = await fetch(`${server.base}${endpoint}${q}`);
      expect([q, res.status]).toEqual([q, 404]);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toContain('?wsdl');
    }
  });
});
