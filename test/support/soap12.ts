/**
 * The plain test client of support/soap.ts, speaking SOAP 1.2: envelopes in SOAP 1.2's namespace,
 * sent as application/soap+xml with the action as its parameter (SOAP 1.2 Part 2 §7.1.4, no
 * SOAPAction header), and replies read as SOAP 1.2 (env:Code, env:Reason, env:Detail).
 */
import { envelope, NS, parseXml, postRaw, type Credentials, type Fields, type XmlNode } from './soap';

export const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
export const SOAP12_TYPE = 'application/soap+xml; charset=utf-8';

/** A SOAP 1.1 envelope of support/soap.ts turned into SOAP 1.2: only the envelope's namespace differs. */
export const to12 = (xml: string) => xml.split(SOAP11).join(SOAP12);

/** The request as SOAP 1.2 (the WS-Security header's mustUnderstand is then SOAP 1.2's attribute). */
export const envelope12 = (operation: string, fields: Fields, credentials?: Credentials, ns = NS) =>
  to12(envelope(operation, fields, credentials, ns));

export interface Reply12 {
  status: number;
  type: string;
  raw: string;
  body: XmlNode;
  values: Record<string, string>;
  fault?: { value: string; reason: string; lang: string | undefined; code: string; message: string; subcode?: string };
}

export async function post12(
  url: string,
  body: string | Buffer,
  action?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': action ? `${SOAP12_TYPE}; action="${action}"` : SOAP12_TYPE, ...headers },
    body,
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

export async function call12(
  url: string,
  operation: string,
  fields: Fields,
  credentials?: Credentials,
  ns = NS,
): Promise<Reply12> {
  const r = await post12(url, envelope12(operation, fields, credentials, ns), `${ns}/${operation}`);
  return readReply12(r.status, r.type, r.text, ns);
}

/** ns: the namespace the service's tns:IpcdFault must be in. Throws unless the reply is a SOAP 1.2 envelope. */
export function readReply12(status: number, type: string, raw: string, ns = NS): Reply12 {
  const root = parseXml(raw);
  const bodyEl = root.children.find((c) => c.name === 'Body' && c.uri === SOAP12);
  if (root.name !== 'Envelope' || root.uri !== SOAP12 || !bodyEl || bodyEl.children.length === 0)
    throw new Error(`not a SOAP 1.2 reply: ${raw.slice(0, 300)}`);
  const body = bodyEl.children[0];
  const values: Record<string, string> = {};
  for (const c of body.children) if (!(c.name in values)) values[c.name] = c.text;
  const reply: Reply12 = { status, type, raw, body, values };
  if (body.name === 'Fault' && body.uri === SOAP12) {
    const child = (n: XmlNode | undefined, name: string, uri = SOAP12) =>
      n?.children.find((c) => c.name === name && c.uri === uri);
    const code = child(body, 'Code');
    const text = child(child(body, 'Reason'), 'Text');
    const f = child(child(body, 'Detail'), 'IpcdFault', ns);
    reply.fault = {
      value: child(code, 'Value')?.text ?? '',
      subcode: child(child(code, 'Subcode'), 'Value')?.text,
      reason: text?.text ?? '',
      lang: /<env:Text xml:lang="([^"]*)"/.exec(raw)?.[1],
      code: child(f, 'code', ns)?.text ?? '',
      message: child(f, 'message', ns)?.text ?? '',
    };
  }
  return reply;
}
