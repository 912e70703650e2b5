#!/usr/bin/env node
/** `ipcd`: the setup CLI (see `ipcd help`). A composition root like src/main.ts: argv in, exit status out. */
import { run } from './run';

run(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
