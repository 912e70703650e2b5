/**
 * Bundles the compiled server (dist/src/main.js, after tsc) into one file, dist/server/ipcd.js,
 * which src/server.ts runs with a V8 code cache. A restart then reads one file instead of resolving
 * ~900 (most of a PostgreSQL restart was module loading: bench/README.md, "Restart time").
 * Bundling tsc's output, not the sources, keeps the decorator metadata tsc emits.
 */
import { buildSync } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const outfile = join(root, 'dist', 'server', 'ipcd.js');
buildSync({
  entryPoints: [join(root, 'dist', 'src', 'main.js')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // PGlite finds its .wasm and .data files beside its own modules; pg-native is optional and absent.
  // TypeORM's other drivers are required in try blocks, so esbuild leaves them to the runtime.
  external: ['@electric-sql/pglite', '@electric-sql/pglite/*', '@electric-sql/pglite-socket', 'pg-native'],
  // Names stay (stack traces read as before); whitespace and comments go: less to read at each start.
  minifyWhitespace: true,
  minifySyntax: true,
  // Licences beside the bundle, which stays ASCII.
  legalComments: 'external',
  // For NODE_OPTIONS=--enable-source-maps; through tsc's maps to the TypeScript sources.
  sourcemap: 'linked',
  logLevel: 'warning',
});

// esbuild leaves the console's typography (·, —, →) in template literals: as \u escapes (the same
// strings; the html tag reads no .raw) the file is ASCII, which src/ops/code-cache.ts reads as
// Latin-1, a copy, where UTF-8 decoding took 40-60 ms and made a two-byte string of twice the size.
const text = readFileSync(outfile, 'utf8');
writeFileSync(
  outfile,
  text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
);
