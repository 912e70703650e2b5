/**
 * Runs a CommonJS bundle from a V8 code cache: a restart then deserializes the compiled code of
 * every module loaded at start-up instead of parsing and compiling it again. The cache is made by
 * the first start (of each build) that finds none or finds it stale, once its modules are loaded.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

type Wrapper = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;

export function loadBundle(file: string, cacheDir = dirname(file)): void {
  // Node maps stack traces through the bundle's source map only for modules it loads itself.
  if (process.sourceMapsEnabled) return void createRequire(file)(file);
  // ASCII by construction (scripts/bundle.ts): Latin-1 is a plain copy, no UTF-8 decoding.
  const source = readFileSync(file, 'latin1');
  const cacheFile = join(cacheDir, `${basename(file)}.cache`);
  // V8 rejects a cache of another V8 or other flags, but of the source it compares only the length:
  // the build's size and time (and Node's version) in the first line keep another build's cache out.
  const { size, mtimeMs } = statSync(file);
  const key = `${process.version} ${size} ${mtimeMs}`;
  const cachedData = readCache(cacheFile, key);
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const run = script.runInThisContext() as Wrapper;
  const module = { exports: {} };
  run(module.exports, createRequire(file), module, file, dirname(file));
  if (cachedData === undefined || script.cachedDataRejected) writeCache(cacheFile, key, script.createCachedData());
}

/**
 * The cache's first line is the key and a CRC-32 of the rest: V8 does not reliably report data it
 * cannot use (garbage of the right length reads as not rejected), so a damaged file is caught here
 * and rewritten instead of being silently useless at every start.
 */
function readCache(file: string, key: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined; // none yet
  }
  const eol = data.indexOf(0x0a);
  const [k, crc] = [data.subarray(0, eol).toString('latin1'), data.subarray(eol + 1)];
  return eol > 0 && k === `${key} ${crc32(crc)}` ? crc : undefined;
}

function writeCache(file: string, key: string, data: Buffer): void {
  // Whole or not at all (workers start together); a read-only install just runs without a cache.
  const tmp = `${file}.${process.pid}`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${key} ${crc32(data)}\n`, 'latin1'), data]));
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true }); // not writable (or full): IPCD_CODE_CACHE_DIR names a directory that is
  }
}
