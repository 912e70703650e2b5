/** `ipcd export` and `ipcd import`: the whole store as one JSON document (src/logic/maintenance/export.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  EXPORTED_TABLES,
  exportDocument,
  formatDocument,
  importDocument,
  parseDocument,
} from '../logic/maintenance/export';
import type { Command } from './command';
import { UsageError } from './usage';

export const EXPORT_COMMANDS: Command[] = [
  {
    words: ['export'],
    synopsis: '[--output FILE]',
    summary: 'write the whole store (topology, allocations with history, users, audit log, ...) as JSON',
    details: [
      '  --output FILE       write to FILE (created with mode 0600) instead of standard output',
      '',
      'The document (formatVersion 1; README: Operations) holds password hashes, sealed passwords',
      'and DNS TSIG keys: keep it like a database backup. It is one consistent snapshot; the server',
      'may keep running on PostgreSQL (the embedded store must be stopped first).',
    ].join('\n'),
    positionals: [],
    options: { output: { type: 'string' } },
    plan: ({ values }, io) => {
      const output = typeof values.output === 'string' ? values.output : undefined;
      return async (store) => {
        const text = formatDocument(await exportDocument(store));
        if (output === undefined) return void process.stdout.write(text);
        writeFileSync(output, text, { mode: 0o600 });
        io.err(`ipcd: exported to ${output}`);
      };
    },
  },
  {
    words: ['import'],
    synopsis: 'FILE|- [--force]',
    summary: 'restore an export into an empty store',
    details: [
      '  FILE                an `ipcd export` document; - reads standard input',
      '  --force             the store is not empty: replace EVERYTHING in it (topology, allocations,',
      '                      users, audit log, sessions) with the document',
      '',
      'All or nothing: one transaction. Without --force a store holding anything is refused (CONFLICT).',
      "The allocator's free ranges are rebuilt from the restored allocations, reservations and hold-downs.",
    ].join('\n'),
    positionals: ['FILE'],
    options: { force: { type: 'boolean' } },
    plan: ({ positionals: [file], values }, io) => {
      let text: string;
      try {
        text = readFileSync(file === '-' ? 0 : file, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
      }
      const doc = parseDocument(text);
      return async (store) => {
        const r = await importDocument(store, doc, { force: values.force === true });
        const counts = EXPORTED_TABLES.filter((t) => r.rows[t] > 0).map((t) => `${t} ${r.rows[t]}`);
        io.out(
          `imported ${counts.join(', ') || 'nothing (the document is empty)'}${r.replaced ? ' (replacing what the store held)' : ''}`,
        );
      };
    },
  },
];
