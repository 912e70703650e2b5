/** Configuration from the environment, checked once at start-up. */
import { join } from 'node:path';
import { parseSecretKey } from './logic/access/passwords';

/** The body limit of every SOAP call but the batches (IPCD_MAX_BODY_BYTES). */
export const MAX_BODY_BYTES = 64 * 1024;
/**
 * The body limit of CommissionIPBatch / DecommissionIPBatch (IPCD_MAX_BATCH_BODY_BYTES): room for
 * 1,000 items that are each as large as a valid item can be written. The largest is a
 * DecommissionIP: serverInstance (255 UTF-16 units, each up to 8 bytes as a character reference
 * such as &#x20AC;, which some serializers write for anything not ASCII), name (an FQDN, 253),
 * address (45), allocationId (36), data center (63), VLAN and flags, its tags with namespace
 * prefixes and indentation: under 3,000 bytes, so 1,000 of them and the envelope with its
 * WS-Security header fit in 4 MiB (test/soap/batch.test.ts sends such a batch).
 */
export const MAX_BATCH_BODY_BYTES = 4 * 1024 * 1024;

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  /** IPCD_WORKERS: server processes on the port (PostgreSQL only; the embedded store has one). */
  workers: number;
  /** IPCD_EMBEDDED_SHARED_BUFFERS: the embedded store's shared_buffers. */
  embeddedSharedBuffers: string;
  maxBodyBytes: number;
  /** IPCD_MAX_BATCH_BODY_BYTES: the body limit of CommissionIPBatch / DecommissionIPBatch. */
  maxBatchBodyBytes: number;
  /** IPCD_TRUST_PROXY: Express 'trust proxy' value (e.g. loopback, 10.0.0.0/8); unset, forwarded headers are ignored. */
  trustProxy?: string;
  /** IPCD_METRICS_TOKEN: bearer token /metrics requires (unset: none). */
  metricsToken?: string;
  exampleTopology: boolean;
  /** WS-Security required on every SOAP call (IPCD_AUTH=off disables it, for development only). */
  authRequired: boolean;
  secretKey?: Buffer;
  replayWindowMs: number;
  /** Failed logins per (client address, user) allowed per window; max 0 turns the limit off. */
  guessLimit: { max: number; windowMs: number };
  initialAdmin?: { username: string; password: string };
  /** Web console sessions end after this much inactivity (IPCD_CONSOLE_IDLE_MINUTES, default 30). */
  consoleIdleMs: number;
  alerts: {
    defaultThresholdPercent: number;
    hysteresisPercent: number;
    sweepSeconds: number;
    webhook?: { url: string; secret?: string; attempts: number; timeoutMs: number; retryBaseMs: number };
  };
  /** How long a stopping server waits for requests in flight before it closes their connections. */
  shutdownGraceMs: number;
  dns: {
    /** Run the DNS outbox worker in this process (IPCD_DNS_PUBLISH=false: another process does). */
    publish: boolean;
    timeoutMs: number;
    retryMaxMs: number;
    pollMs: number;
  };
}

function webhookUrl(): string | undefined {
  const raw = process.env.IPCD_ALERT_WEBHOOK_URL;
  if (!raw) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`IPCD_ALERT_WEBHOOK_URL must be an http(s) URL, got '${raw}'`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`IPCD_ALERT_WEBHOOK_URL must be an http(s) URL, got '${raw}'`);
  return u.toString();
}

function num(name: string, fallback: number, min: number, max: number, integer = true): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(integer ? Number.isInteger(n) : Number.isFinite(n)) || n < min || n > max) {
    throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got '${raw}'`);
  }
  return n;
}
const int = (name: string, fallback: number, min: number, max: number) => num(name, fallback, min, max);
const percent = (name: string, fallback: number, min: number, max: number) => num(name, fallback, min, max, false);

/** One worker: measured, a second process did not pay on 2 cores shared with the database (bench/README.md). */
export const DEFAULT_WORKERS = 1;

function memorySize(name: string, fallback: string): string {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,6}(kB|MB|GB)$/.test(raw))
    throw new Error(`${name} must be a size such as 16MB (kB, MB or GB), got '${raw}'`);
  return raw;
}

export function loadConfig(): Config {
  return {
    port: int('PORT', 8080, 0, 65535),
    host: process.env.HOST || '0.0.0.0',
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: process.env.IPCD_DATA_DIR || join(process.cwd(), 'data', 'ipcd'),
    poolSize: int('IPCD_DB_POOL', 10, 1, 200),
    workers: int('IPCD_WORKERS', DEFAULT_WORKERS, 1, 64),
    embeddedSharedBuffers: memorySize('IPCD_EMBEDDED_SHARED_BUFFERS', '16MB'),
    maxBodyBytes: int('IPCD_MAX_BODY_BYTES', MAX_BODY_BYTES, 1024, 16 * 1024 * 1024),
    maxBatchBodyBytes: int('IPCD_MAX_BATCH_BODY_BYTES', MAX_BATCH_BODY_BYTES, 1024, 64 * 1024 * 1024),
    trustProxy: process.env.IPCD_TRUST_PROXY || undefined,
    metricsToken: process.env.IPCD_METRICS_TOKEN || undefined,
    exampleTopology: process.env.IPCD_EXAMPLE_TOPOLOGY !== 'false',
    authRequired: authMode(),
    secretKey: parseSecretKey(process.env.IPCD_SECRET_KEY),
    replayWindowMs: int('IPCD_REPLAY_WINDOW_SECONDS', 300, 10, 3600) * 1000,
    guessLimit: {
      max: int('IPCD_AUTH_MAX_FAILURES', 10, 0, 100000),
      windowMs: int('IPCD_AUTH_FAILURE_WINDOW_SECONDS', 300, 10, 86400) * 1000,
    },
    consoleIdleMs: int('IPCD_CONSOLE_IDLE_MINUTES', 30, 1, 24 * 60) * 60_000,
    initialAdmin: process.env.IPCD_ADMIN_PASSWORD
      ? { username: process.env.IPCD_ADMIN_USER || 'admin', password: process.env.IPCD_ADMIN_PASSWORD }
      : undefined,
    alerts: {
      defaultThresholdPercent: percent('IPCD_ALERT_THRESHOLD_PERCENT', 90, 0.01, 100),
      hysteresisPercent: percent('IPCD_ALERT_HYSTERESIS_PERCENT', 5, 0, 50),
      sweepSeconds: int('IPCD_ALERT_SWEEP_SECONDS', 60, 0, 86400),
      webhook: (() => {
        const url = webhookUrl();
        return url === undefined
          ? undefined
          : {
              url,
              secret: process.env.IPCD_ALERT_WEBHOOK_SECRET || undefined,
              attempts: int('IPCD_ALERT_WEBHOOK_ATTEMPTS', 10, 1, 100),
              timeoutMs: int('IPCD_ALERT_WEBHOOK_TIMEOUT_SECONDS', 10, 1, 300) * 1000,
              retryBaseMs: int('IPCD_ALERT_WEBHOOK_RETRY_MS', 1000, 10, 600_000),
            };
      })(),
    },
    shutdownGraceMs: int('IPCD_SHUTDOWN_GRACE_SECONDS', 30, 0, 3600) * 1000,
    dns: {
      publish: process.env.IPCD_DNS_PUBLISH !== 'false',
      timeoutMs: int('IPCD_DNS_TIMEOUT_MS', 3000, 100, 60_000),
      retryMaxMs: int('IPCD_DNS_RETRY_MAX_SECONDS', 60, 1, 3600) * 1000,
      pollMs: int('IPCD_DNS_POLL_MS', 1000, 50, 60_000),
    },
  };
}

function authMode(): boolean {
  const v = process.env.IPCD_AUTH ?? 'required';
  if (v !== 'required' && v !== 'off') throw new Error(`IPCD_AUTH must be 'required' or 'off', got '${v}'`);
  return v === 'required';
}
