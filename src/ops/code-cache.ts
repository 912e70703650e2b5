/**
 * Runs a CommonJS bundle from a V8 code cache: a restart then deserializes the compiled code of
 * every module loaded at start-up instead of parsing and compiling it again. The cache is made by
 * the first start (of each build) that finds none or finds it stale, once its modules are loaded.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

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
  const key = Buffer.from(`${process.version} ${size} ${mtimeMs}\n`);
  const cachedData = readCache(cacheFile, key);
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const run = script.runInThisContext() as Wrapper;
  const module = { exports: {} };
  run(module.exports, createRequire(file), module, file, dirname(file));
  if (cachedData === undefined || script.cachedDataRejected) writeCache(cacheFile, key, script.createCachedData());
}

function readCache(file: string, key: Buffer): Buffer | undefined {
  try {
    const data = readFileSync(file);
    return data.subarray(0, key.length).equals(key) ? data.subarray(key.length) : undefined;
  } catch {
    return undefined; // none yet
  }
}

function writeCache(file: string, key: Buffer, data: Buffer): void {
  // Whole or not at all (workers start together); a read-only install just runs without a cache.
  const tmp = `${file}.${process.pid}`;
  try {
    writeFileSync(tmp, Buffer.concat([key, data]));
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true }); // not writable (or full): IPCD_CODE_CACHE_DIR names a directory that is
  }
}
