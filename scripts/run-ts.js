#!/usr/bin/env node
/**
 * Runs a TypeScript script (node scripts/run-ts.js FILE ARGS…) by stripping its types on load: the
 * build runs scripts/gen-contract.ts before tsc, and `tsc -p tsconfig.test.json` type-checks it.
 */
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
process.argv.splice(1, 1);
process.argv[1] = require('node:path').resolve(process.argv[1]);
Module.runMain();
