/** Configuration from the environment, checked once at start-up. */
import { join } from 'node:path';

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  maxBodyBytes: number;
  exampleTopology: boolean;
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
  };
}
