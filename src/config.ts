/** Configuration from the environment, checked once at start-up. */
import { join } from 'node:path';
import { parseSecretKey } from './logic/passwords';

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  maxBodyBytes: number;
  exampleTopology: boolean;
  /** WS-Security required on every SOAP call (IPCD_AUTH=off disables it, for development only). */
  authRequired: boolean;
  secretKey?: Buffer;
  replayWindowMs: number;
  initialAdmin?: { username: string; password: string };
  /** Web console sessions end after this much inactivity (IPCD_CONSOLE_IDLE_MINUTES, default 30). */
  consoleIdleMs: number;
}

function int(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

export function loadConfig(): Config {
  return {
    port: int('PORT', 8080, 0, 65535),
    host: process.env.HOST || '0.0.0.0',
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: process.env.IPCD_DATA_DIR || join(process.cwd(), 'data', 'ipcd'),
    poolSize: int('IPCD_DB_POOL', 10, 1, 200),
    maxBodyBytes: int('IPCD_MAX_BODY_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    exampleTopology: process.env.IPCD_EXAMPLE_TOPOLOGY !== 'false',
    authRequired: authMode(),
    secretKey: parseSecretKey(process.env.IPCD_SECRET_KEY),
    replayWindowMs: int('IPCD_REPLAY_WINDOW_SECONDS', 300, 10, 3600) * 1000,
    consoleIdleMs: int('IPCD_CONSOLE_IDLE_MINUTES', 30, 1, 24 * 60) * 60_000,
    initialAdmin: process.env.IPCD_ADMIN_PASSWORD
      ? { username: process.env.IPCD_ADMIN_USER || 'admin', password: process.env.IPCD_ADMIN_PASSWORD }
      : undefined,
  };
}

function authMode(): boolean {
  const v = process.env.IPCD_AUTH ?? 'required';
  if (v !== 'required' && v !== 'off') throw new Error(`IPCD_AUTH must be 'required' or 'off', got '${v}'`);
  return v === 'required';
}
