/**
 * A minimal SOAP 1.1 client for the benchmark: envelopes built as text, POSTed over a keep-alive
 * HTTP agent with node:http, replies read with a few regular expressions (the benchmark only
 * needs a handful of flat response elements and the fault code). Deliberately independent of
 * test/ and of node-soap, so the client side costs as little CPU as possible.
 */
import http from 'node:http';

export const NS = 'http://ipcd.example.org/ns/commissioning/v1';
const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export type Fields = Record<string, string | number | boolean | undefined>;

export interface Reply {
  status: number;
  /** Flat child elements of the response wrapper by local name (first occurrence). */
  values: Record<string, string>;
  /** ipcd fault code when the reply is a SOAP Fault. */
  fault?: { code: string; message: string };
}

const escape = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);

export function envelope(operation: string, fields: Fields): string {
  let inner = '';
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) inner += `<i:${k}>${escape(String(v))}</i:${k}>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_NS}" xmlns:i="${NS}">` +
    `<soapenv:Body><i:${operation}>${inner}</i:${operation}></soapenv:Body></soapenv:Envelope>`
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

export class SoapClient {
  readonly agent: http.Agent;
  private readonly target: URL;

  constructor(url: string, maxSockets: number) {
    this.target = new URL(url);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  call(operation: string, fields: Fields): Promise<Reply> {
    const body = Buffer.from(envelope(operation, fields), 'utf8');
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
            SOAPAction: `"${NS}/${operation}"`,
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
              resolve({ status, values, fault: { code: values.code ?? values.faultcode ?? '?', message: values.message ?? values.faultstring ?? text.slice(0, 300) } });
            } else if (status !== 200) {
              reject(new Error(`HTTP ${status} from ${operation}: ${text.slice(0, 300)}`));
            } else {
              resolve({ status, values });
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
