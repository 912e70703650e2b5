/**
 * The server's production entry (`npm start`, deploy/ipcd.service): the bundle `npm run build` makes
 * (dist/server/ipcd.js) run through a V8 code cache, so a restart neither resolves ~900 module files
 * nor compiles their code again (bench/README.md, "Restart time"). `node dist/src/main.js` runs the
 * same server unbundled. The cache lives in IPCD_CODE_CACHE_DIR, else systemd's CacheDirectory=,
 * else beside the bundle.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadBundle } from './ops/code-cache';

const env = process.env;
const bundle = join(__dirname, '..', 'server', 'ipcd.js');
if (!existsSync(bundle)) {
  // As every start-up failure (src/main.ts): one plain line on stderr that says what to do.
  process.stderr.write(
    `ipcd: cannot start: the bundled server ${relative(process.cwd(), bundle)} is missing: build it with npm run build\n`,
  );
  process.exit(1);
}
loadBundle(bundle, env.IPCD_CODE_CACHE_DIR || env.CACHE_DIRECTORY || undefined);
