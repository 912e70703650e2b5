/**
 * A deliberately plain SOAP 1.1 client for tests: builds real envelopes as text, POSTs them over
 * HTTP and reads the reply with a real XML parser. No node-soap on this side, so the tests check
 * the wire format rather than one library talking to itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SaxesParser } from 'saxes';

export const NS = 'http://ipcd.example.org/ns/commissioning/v1';
export const ADMIN_NS = 'http://ipcd.example.org/ns/management/v1';
const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** An element's content: text, nested elements, or (as an array) the element repeated. */
export type Value = string | number | boolean | undefined | Fields | Value[];
export type Fields = { [element: string]: Value };

export interface XmlNode {
  name: string; // local name
  uri: string;
  text: string;
  children: XmlNode[];
}

export interface SoapReply {
  status: number;
  raw: string;
  /** The Body's first element (response wrapper or Fault). */
  body: XmlNode;
  /** Child elements of the response wrapper as text (repeated elements: the first). */
  values: Record<string, string>;
  fault?: { faultcode: string; faultstring: string; code: string; message: string };
}

/** WS-Security UsernameToken credentials for a call. */
export interface Credentials {
  username: string;
  password: string;
  /** PasswordText (default) or PasswordDigest with a fresh nonce. */
  digest?: boolean;
  /** Override Created (to test the replay window) and the nonce (to test replays). */
  created?: string;
  nonce?: string;
}

const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0';

export function securityHeader(c: Credentials): string {
  const created = c.created ?? new Date().toISOString();
  const nonce = c.nonce ?? randomBytes(16).toString('base64');
  const password = c.digest
    ? createHash('sha1')
        .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(c.password)]))
        .digest('base64')
    : c.password;
  return (
    `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}" soapenv:mustUnderstand="1"><wsse:UsernameToken wsu:Id="UT-1">` +
    `<wsse:Username>${escape(c.username)}</wsse:Username>` +
    `<wsse:Password Type="${PROFILE}#${c.digest ? 'PasswordDigest' : 'PasswordText'}">${escape(password)}</wsse:Password>` +
    `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

export function envelope(operation: string, fields: Fields, credentials?: Credentials, ns = NS): string {
  const inner = elements(fields);
  const header = credentials ? `<soapenv:Header>${securityHeader(credentials)}</soapenv:Header>` : '<soapenv:Header/>';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_NS}" xmlns:i="${ns}">` +
    `${header}<soapenv:Body><i:${operation}>${inner}</i:${operation}></soapenv:Body></soapenv:Envelope>`
  );
}

function elements(fields: Fields): string {
  const one = (k: string, v: Value): string => {
    if (v === undefined) return '';
    if (Array.isArray(v)) return v.map((x) => one(k, x)).join('');
    if (typeof v === 'object') return `<i:${k}>${elements(v)}</i:${k}>`;
    return `<i:${k}>${escape(String(v))}</i:${k}>`;
  };
  return Object.entries(fields)
    .map(([k, v]) => one(k, v))
    .join('');
}

export function escape(s: string): string {
  return s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
}

export async function postRaw(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', ...headers },
    body,
  });
  return { status: res.status, text: await res.text() };
}

export async function call(
  url: string,
  operation: string,
  fields: Fields,
  credentials?: Credentials,
  ns = NS,
): Promise<SoapReply> {
  const { status, text } = await postRaw(url, envelope(operation, fields, credentials, ns), {
    SOAPAction: `"${ns}/${operation}"`,
  });
  return readReply(status, text, ns);
}

/** A call to the management service (wsdl/ipcd-admin.wsdl). */
export const adminCall = (url: string, operation: string, fields: Fields, credentials?: Credentials) =>
  call(url, operation, fields, credentials, ADMIN_NS);

/** ns: the namespace the service's tns:IpcdFault must be in. */
export function readReply(status: number, raw: string, ns = NS): SoapReply {
  const root = parseXml(raw);
  const bodyEl = root.children.find((c) => c.name === 'Body' && c.uri === SOAP_NS);
  if (root.name !== 'Envelope' || !bodyEl || bodyEl.children.length === 0)
    throw new Error(`not a SOAP reply: ${raw.slice(0, 300)}`);
  const body = bodyEl.children[0];
  const values: Record<string, string> = {};
  for (const c of body.children) if (!(c.name in values)) values[c.name] = c.text;
  const reply: SoapReply = { status, raw, body, values };
  if (body.name === 'Fault') {
    const detail = body.children.find((c) => c.name === 'detail');
    const f = detail?.children.find((c) => c.name === 'IpcdFault' && c.uri === ns);
    const get = (n: XmlNode | undefined, name: string) => n?.children.find((c) => c.name === name)?.text ?? '';
    reply.fault = {
      faultcode: values.faultcode,
      faultstring: values.faultstring,
      code: get(f, 'code'),
      message: get(f, 'message'),
    };
  }
  return reply;
}

export function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  parser.on('opentag', (t) => {
    const node: XmlNode = { name: t.local ?? t.name, uri: t.uri ?? '', text: '', children: [] };
    if (stack.length) stack[stack.length - 1].children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on('text', (t) => {
    if (stack.length) stack[stack.length - 1].text += t;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  if (!root) throw new Error('empty XML');
  return root;
}

/** Elements named `name` directly under node. */
export const all = (node: XmlNode, name: string) => node.children.filter((c) => c.name === name);
/** The text of node's first child element `name` (undefined when there is none). */
export const text = (node: XmlNode, name: string) => node.children.find((c) => c.name === name)?.text;
/** A flat element (name, cidr, ...) as an object of its children's text; repeated children: the first. */
export function flat(node: XmlNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of node.children) if (!(c.name in out)) out[c.name] = c.text;
  return out;
}
