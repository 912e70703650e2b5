/**
 * Start-up failures an operator meets — a missing or unreachable database, a refused first
 * administrator password, a port in use, a bad setting, an unwritable embedded store — end the
 * process with a non-zero status and one plain line on stderr that says what is wrong and what to
 * do; the stack trace only at LOG_LEVEL=debug. Real `node dist/src/server.js` processes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, databaseUrl } from '../support/backends';
import { ensureBuilt, freePort, REPO_ROOT, runNode, SERVER_ENTRY, type Run } from '../support/processes';

jest.setTimeout(120_000);

let tmp: string;
let db: Awaited<ReturnType<typeof createDatabase>>;
beforeAll(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'ipcd-startup-'));
  db = await createDatabase();
});
afterAll(async () => {
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

function start(env: Record<string, string>): Promise<Run> {
  const base = { ...process.env };
  for (const k of ['DATABASE_URL', 'IPCD_DATA_DIR', 'IPCD_ADMIN_PASSWORD', 'PORT', 'HOST', 'NODE_OPTIONS'])
    delete base[k];
  return runNode(SERVER_ENTRY, [], {
    env: { ...base, IPCD_DATA_DIR: join(tmp, 'data'), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
}

/** The one line a failed start leaves on stderr; nothing that looks like a stack trace anywhere. */
function oneLine(r: Run): string {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ipcd: cannot start: /);
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at /);
  expect(r.stdout).not.toMatch(/"level":"error"/);
  return lines[0];
}

test('a database that does not exist: name it, and how to create it', async () => {
  const line = oneLine(await start({ DATABASE_URL: databaseUrl('ipcd_no_such_db'), PORT: '0' }));
  expect(line).toMatch(
    /database ipcd_no_such_db does not exist on 127\.0\.0\.1:5432: create it with createdb .*ipcd_no_such_db/,
  );
});

test('a database nothing listens for: where, and what to do', async () => {
  const port = await freePort();
  const url = new URL(databaseUrl('ipcd'));
  url.port = String(port);
  const line = oneLine(await start({ DATABASE_URL: url.toString(), PORT: '0' }));
  expect(line).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}`);
  expect(line).toMatch(/start PostgreSQL, or correct DATABASE_URL/);
});

test('DATABASE_URL that is not a URL', async () => {
  expect(oneLine(await start({ DATABASE_URL: 'not a url', PORT: '0' }))).toMatch(
    /DATABASE_URL is not a URL such as postgres:/,
  );
});

test('a first administrator password that is too short', async () => {
  const line = oneLine(await start({ DATABASE_URL: db.url, IPCD_ADMIN_PASSWORD: 'short', PORT: '0' }));
  expect(line).toMatch(/IPCD_ADMIN_PASSWORD is not accepted: a password must be 12 to 1024 characters long/);
  expect(line).not.toContain('short'); // the password itself is never printed
});

test('a port in use', async () => {
  const busy: Server = createServer();
  const port = await new Promise<number>((r) =>
    busy.listen(0, '127.0.0.1', () => r((busy.address() as { port: number }).port)),
  );
  try {
    const line = oneLine(await start({ DATABASE_URL: db.url, PORT: String(port) }));
    expect(line).toBe(
      `ipcd: cannot start: port ${port} is in use on 127.0.0.1 by another process: stop it, or set PORT to a free port`,
    );
  } finally {
    busy.close();
  }
});

test('a setting out of range', async () => {
  expect(oneLine(await start({ DATABASE_URL: db.url, PORT: 'eighty' }))).toMatch(
    /PORT must be an integer from 0 to 65535, got 'eighty'/,
  );
});

test('an embedded store directory that cannot be created', async () => {
  const file = join(tmp, 'a-file');
  writeFileSync(file, 'not a directory\n');
  const line = oneLine(await start({ IPCD_DATA_DIR: join(file, 'ipcd'), PORT: '0' }));
  expect(line).toMatch(
    /embedded store's directory .*a-file\/ipcd cannot be created or written \(ENOTDIR\): set IPCD_DATA_DIR/,
  );
});

test('a build without its bundle (tsc alone): name the file, and how to make it', async () => {
  // The production entry and what it imports, copied without dist/server/ipcd.js beside them.
  const dist = join(tmp, 'no-bundle', 'dist', 'src');
  mkdirSync(join(dist, 'ops'), { recursive: true });
  copyFileSync(SERVER_ENTRY, join(dist, 'server.js'));
  copyFileSync(join(REPO_ROOT, 'dist', 'src', 'ops', 'code-cache.js'), join(dist, 'ops', 'code-cache.js'));
  const r = await runNode(join(dist, 'server.js'), [], {
    env: { ...process.env, PORT: '0' },
    cwd: join(tmp, 'no-bundle'),
  });
  expect(oneLine(r)).toBe(
    'ipcd: cannot start: the bundled server dist/server/ipcd.js is missing: build it with npm run build',
  );
});

test('LOG_LEVEL=debug adds the stack trace', async () => {
  const r = await start({ DATABASE_URL: databaseUrl('ipcd_no_such_db'), PORT: '0', LOG_LEVEL: 'debug' });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/^ipcd: cannot start: database ipcd_no_such_db does not exist/);
  expect(r.stderr).toMatch(/\n\s+at /);
});
