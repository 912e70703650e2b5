/**
 * A minimal SOAP 1.1 client for the benchmark: envelopes built as text, POSTed over a keep-alive
 * HTTP agent with node:http, replies read with a few regular expressions (the benchmark only
 * needs a handful of response elements and the fault code). Deliberately independent of test/,
 * src/client and node-soap, so the client side costs as little CPU as possible.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';

/** The commissioning (/ipcd) and management (/ipcd-admin) namespaces of the two WSDLs. */
export const NS = 'http://ipcd.example.org/ns/commissioning/v1';
export const ADMIN_NS = 'http://ipcd.example.org/ns/management/v1';
const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-soap-message-security-1.0#Base64Binary';

type Scalar = string | number | boolean | undefined;
/** Parameters in schema order; a nested object or a list of them becomes child elements (e.g. a grant). */
export interface Fields {
  [name: string]: Scalar | Fields | Fields[];
}

export interface Credentials {
  username: string;
  password: string;
  /**
   * Add a fresh Nonce and wsu:Created, as ipcd's own client (src/client/soap.ts) does: the server
   * then records the nonce (replay protection), which is part of what a real call costs.
   */
  nonce: boolean;
}

export interface Reply {
  status: number;
  /** Leaf elements of the reply by local name (first occurrence). */
  values: Record<string, string>;
  /** ipcd fault code when the reply is a SOAP Fault. */
  fault?: { code: string; message: string };
  /** The reply as received (batch replies hold many results). */
  raw: string;
}

const escape = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);

function elements(fields: Fields): string {
  let out = '';
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) {
      out += `<i:${k}>${typeof item === 'object' ? elements(item) : escape(String(item))}</i:${k}>`;
    }
  }
  return out;
}

function securityHeader(c: Credentials): string {
  const fresh = c.nonce
    ? `<wsse:Nonce EncodingType="${BASE64_BINARY}">${randomBytes(16).toString('base64')}</wsse:Nonce><wsu:Created>${new Date().toISOString()}</wsu:Created>`
    : '';
  return (
    `<soapenv:Header><wsse:Security xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}" soapenv:mustUnderstand="1"><wsse:UsernameToken>` +
    `<wsse:Username>${escape(c.username)}</wsse:Username><wsse:Password Type="${PASSWORD_TEXT}">${escape(c.password)}</wsse:Password>${fresh}` +
    `</wsse:UsernameToken></wsse:Security></soapenv:Header>`
  );
}

export function envelope(operation: string, fields: Fields, ns = NS, credentials?: Credentials): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_NS}" xmlns:i="${ns}">` +
    (credentials ? securityHeader(credentials) : '') +
    `<soapenv:Body><i:${operation}>${elements(fields)}</i:${operation}></soapenv:Body></soapenv:Envelope>`
  );
}

const unescape = (s: string) =>
  s.replace(/&(lt|gt|amp|quot|apos);/g, (_m, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!);

/** Leaf elements `<prefix:name>text</prefix:name>` anywhere in the reply, first occurrence wins. */
function leaves(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /<(?:[\w.-]+:)?([\w.-]+)(?:\s[^>]*)?>([^<]*)<\/(?:[\w.-]+:)?\1>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) if (!(m[1] in out)) out[m[1]] = unescape(m[2]);
  return out;
}

export interface ClientOptions {
  /** The service's namespace: NS for /ipcd, ADMIN_NS for /ipcd-admin. */
  ns?: string;
  credentials?: Credentials;
}

export class SoapClient {
  readonly agent: http.Agent;
  private readonly target: URL;
  private readonly ns: string;
  private readonly credentials?: Credentials;

  constructor(url: string, maxSockets: number, o: ClientOptions = {}) {
    this.target = new URL(url);
    this.ns = o.ns ?? NS;
    this.credentials = o.credentials;
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  call(operation: string, fields: Fields): Promise<Reply> {
    const body = Buffer.from(envelope(operation, fields, this.ns, this.credentials), 'utf8');
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname,
          method: 'POST',
          headers: {
            'Content-Type': 'text/xml; charset=utf-8',
            'Content-Length': body.length,
            SOAPAction: `"${this.ns}/${operation}"`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const values = leaves(text);
            const status = res.statusCode ?? 0;
            if (/<(?:[\w.-]+:)?Fault[\s>]/.test(text)) {
              resolve({
                status,
                values,
                raw: text,
                fault: {
                  code: values.code ?? values.faultcode ?? '?',
                  message: values.message ?? values.faultstring ?? text.slice(0, 300),
                },
              });
            } else if (status !== 200) {
              reject(
                Object.assign(new Error(`HTTP ${status} from ${operation}: ${text.slice(0, 300)}`), {
                  code: `HTTP_${status}`,
                }),
              );
            } else {
              resolve({ status, values, raw: text });
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
