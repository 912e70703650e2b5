/**
 * Restarts run the bundle from a V8 code cache (src/ops/code-cache.ts; bench/README.md, "Restart
 * time"). What must hold: the first start writes the cache, a restart uses it as is, a cache of
 * another build or a damaged one is never used (rewritten, the program runs; V8 itself reports
 * garbage of the right length as accepted, so the file carries a CRC-32), and a directory that
 * cannot be written only costs the cache. Then the real server: `node dist/src/server.js` writes
 * its cache into IPCD_CODE_CACHE_DIR and a restart finds it current.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../src/ops/code-cache';
import { createDatabase } from '../support/backends';
import { ensureBuilt, startServerProcesses } from '../support/processes';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ipcd-code-cache-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A small CommonJS "bundle" that appends a line to b.js.ran each time it runs (the test sees it ran, with require). */
function bundle(dir: string, body = 'x'): string {
  const file = join(dir, 'b.js');
  writeFileSync(
    file,
    `require('node:fs').appendFileSync(__filename + '.ran', ${JSON.stringify(body)} + ':' + __filename + '\\n');\n` +
      `function f(n) { return n < 2 ? n : f(n - 1) + f(n - 2); } module.exports = f(10);\n`,
  );
  return file;
}
const ran = (file: string) => {
  try {
    return readFileSync(`${file}.ran`, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};
const mtime = (f: string) => statSync(f).mtimeMs;
/** A cache file's first line: Node's version, the bundle's size and mtime, the data's CRC-32. */
const header = (data: Buffer) => data.toString('latin1').split('\n')[0];

describe('the code cache of a bundle', () => {
  test('the first run writes it, a second run uses it as is', () => {
    const dir = tempDir();
    const file = bundle(dir);
    loadBundle(file);
    const cache = `${file}.cache`;
    const written = readFileSync(cache);
    expect(header(written)).toMatch(new RegExp(`^${process.version} \\d+ [\\d.]+ \\d+$`));
    const at = mtime(cache);
    loadBundle(file);
    expect(ran(file)).toEqual([`x:${file}`, `x:${file}`]);
    // Accepted: not written again.
    expect(mtime(cache)).toBe(at);
    expect(readFileSync(cache).equals(written)).toBe(true);
  });

  test("another build's cache is not used: the key changes and the cache is rewritten", () => {
    const dir = tempDir();
    const file = bundle(dir, 'old');
    loadBundle(file);
    const oldKey = header(readFileSync(`${file}.cache`));
    bundle(dir, 'a newer build');
    loadBundle(file);
    expect(ran(file)).toEqual([`old:${file}`, `a newer build:${file}`]);
    expect(header(readFileSync(`${file}.cache`))).not.toBe(oldKey);
  });

  test('a damaged cache is caught by its checksum and rewritten; the bundle still runs', () => {
    const dir = tempDir();
    const file = bundle(dir);
    loadBundle(file);
    const cache = `${file}.cache`;
    const good = readFileSync(cache);
    const key = header(good) + '\n';
    const damaged = Buffer.concat([Buffer.from(key, 'latin1'), Buffer.alloc(good.length - key.length, 7)]);
    writeFileSync(cache, damaged);
    loadBundle(file);
    expect(ran(file)).toHaveLength(2);
    const rewritten = readFileSync(cache);
    expect(rewritten.equals(damaged)).toBe(false);
    expect(rewritten.toString('latin1').startsWith(key)).toBe(true);
  });

  test('a cache directory it cannot write only costs the cache', () => {
    const dir = tempDir();
    const file = bundle(dir);
    const readOnly = join(tempDir(), 'missing', 'nested');
    loadBundle(file, readOnly);
    expect(ran(file)).toHaveLength(1);
  });
});

describe('the real server (node dist/src/server.js)', () => {
  test('writes its cache into IPCD_CODE_CACHE_DIR, and a restart finds it current', async () => {
    ensureBuilt();
    const cacheDir = tempDir();
    chmodSync(cacheDir, 0o755);
    const db = await createDatabase();
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'error', IPCD_CODE_CACHE_DIR: cacheDir };
    try {
      const first = await startServerProcesses(1, env);
      await first.stop();
      const cache = join(cacheDir, 'ipcd.js.cache');
      const written = mtime(cache);
      expect(statSync(cache).size).toBeGreaterThan(100_000);
      const again = await startServerProcesses(1, env);
      await again.stop();
      expect(mtime(cache)).toBe(written);
    } finally {
      await db.drop();
    }
  }, 60_000);
});
