/**
 * A real BIND 9 `named` for DNS tests: generated into a temp dir with a TSIG key, a forward zone
 * and reverse zones that accept signed updates, listening on 127.0.0.1 at a free high port.
 * `dig` (dnsutils) reads what ipcd published. Debian's bind9 and dnsutils: see .ci/run.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes';

export const NAMED = '/usr/sbin/named';

export interface Bind {
  port: number;
  dir: string;
  keyName: string;
  secret: string;
  /** The key as BIND's tsig-keygen writes it (what `ipcd zone dns set --key-file` reads). */
  keyText: string;
  zones: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** dig +short NAME TYPE */
  dig(name: string, type: string): Promise<string[]>;
  /** Every record of a zone (signed AXFR), as "owner TYPE rdata" lines. */
  transfer(zone: string): Promise<string[]>;
  dispose(): Promise<void>;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(String(stdout)),
    ),
  );
}

export async function startBind(zones: string[]): Promise<Bind> {
  const dir = mkdtempSync(join(tmpdir(), 'ipcd-named-'));
  const port = await freePort();
  const keyName = 'ipcd-test-key';
  const secret = randomBytes(32).toString('base64');
  const keyText = `key "${keyName}" {\n\talgorithm hmac-sha256;\n\tsecret "${secret}";\n};\n`;
  const conf = [
    'options {',
    `  directory "${dir}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    `  pid-file "${dir}/named.pid";`,
    `  session-keyfile "${dir}/session.key";`,
    `  managed-keys-directory "${dir}";`,
    '  recursion no;',
    '  dnssec-validation no;',
    '  notify no;',
    '};',
    'controls { };',
    keyText,
    ...zones.map(
      (z) =>
        `zone "${z}" { type primary; file "${dir}/${z}.db"; allow-update { key "${keyName}"; }; allow-transfer { key "${keyName}"; }; };`,
    ),
  ].join('\n');
  writeFileSync(join(dir, 'named.conf'), conf);
  for (const z of zones) {
    writeFileSync(
      join(dir, `${z}.db`),
      `$TTL 300\n@ IN SOA ns.${zones[0]}. hostmaster.${zones[0]}. 1 3600 600 86400 60\n@ IN NS ns.${zones[0]}.\n${z === zones[0] ? 'ns IN A 127.0.0.1\n' : ''}`,
    );
  }
  let child: ChildProcess | null = null;
  let output = '';

  const bind: Bind = {
    port,
    dir,
    keyName,
    secret,
    keyText,
    zones,
    async start() {
      output = '';
      const c = spawn(NAMED, ['-g', '-c', join(dir, 'named.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      c.stdout!.on('data', (d) => (output += d));
      c.stderr!.on('data', (d) => (output += d));
      const deadline = Date.now() + 20_000;
      while (!/running/.test(output)) {
        if (c.exitCode !== null) throw new Error(`named exited: ${output}`);
        if (Date.now() > deadline) throw new Error(`named did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });
    },
    async dig(name, type) {
      const out = await run('dig', ['@127.0.0.1', '-p', String(port), '+short', '+tcp', name, type]);
      return out
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    },
    async transfer(zone) {
      const out = await run('dig', [
        '@127.0.0.1',
        '-p',
        String(port),
        '-y',
        `hmac-sha256:${keyName}:${secret}`,
        '+nocmd',
        '+nostats',
        '+nocomments',
        zone,
        'AXFR',
      ]);
      return out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith(';'))
        .map((l) => l.split(/\s+/))
        .filter((f) => f[3] !== 'SOA' && f[3] !== 'TSIG')
        .map((f) => `${f[0].replace(/\.$/, '')} ${f[3]} ${f.slice(4).join(' ').replace(/\.$/, '')}`);
    },
    async dispose() {
      await bind.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await bind.start();
  return bind;
}
