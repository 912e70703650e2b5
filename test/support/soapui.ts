/**
 * A replayer for SoapUI 5 project files, for where SoapUI itself cannot be installed: it sends every
 * request test step as SoapUI would (property expansion, the operation's SOAPAction, the outgoing
 * WS-Security UsernameToken) and evaluates each assertion. It refuses, as a failure, anything it does
 * not understand — a step or assertion type, an expansion, a disabled step — so a project cannot pass
 * here on something that was silently skipped.
 */
import { randomBytes, createHash } from 'node:crypto';
import { XMLSerializer } from '@xmldom/xmldom';
import { parseXml, select, type Document, type Element, type Node } from './xml';

export { parseXml };

export const CON = 'http://eviware.com/soapui/config';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const TOKEN_PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0';
const BASE64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

/** The assertion types the replayer evaluates (SoapUI's type ids; note SoapUI's own inverted fault ids). */
export const ASSERTION_TYPES = [
  'SOAP Response',
  'SOAP Fault Assertion', // shown as "Not SOAP Fault"
  'Not SOAP Fault Assertion', // shown as "SOAP Fault"
  'Valid HTTP Status Codes',
  'XPath Match',
  'Simple Contains',
  'Simple NotContains',
] as const;

export const children = (e: Element, local?: string, ns = CON): Element[] =>
  Array.from(e.childNodes).filter(
    (n): n is Element =>
      n.nodeType === 1 &&
      (local === undefined || ((n as Element).localName === local && (n as Element).namespaceURI === ns)),
  );
export const child = (e: Element, local: string, ns = CON): Element | undefined => children(e, local, ns)[0];
export const text = (e: Element | undefined): string => (e ? (e.textContent ?? '') : '');
/** A child element's text, for the unprefixed children of <con:configuration>. */
const plain = (e: Element | undefined, local: string): string | undefined => {
  const c = e && Array.from(e.childNodes).find((n) => n.nodeType === 1 && (n as Element).localName === local);
  return c ? (c.textContent ?? '') : undefined;
};

/** XPath as SoapUI writes it: `declare namespace p='uri';` lines, then an XPath 1.0 expression. */
export function evaluateXPath(path: string, doc: Document): string | undefined {
  const ns: Record<string, string> = {};
  const expr = path
    .replace(/declare\s+namespace\s+([A-Za-z_][\w.-]*)\s*=\s*(['"])(.*?)\2\s*;/g, (_m, p: string, _q, uri: string) => {
      ns[p] = uri;
      return '';
    })
    .trim();
  const result = select(expr, doc, ns);
  if (typeof result === 'string' || typeof result === 'number' || typeof result === 'boolean') return String(result);
  const first = (result as unknown as Node[])[0];
  if (first === undefined) return undefined;
  if (first.nodeType === 2) return (first as unknown as { value: string }).value;
  if (first.nodeType === 3 || first.nodeType === 4) return first.nodeValue ?? '';
  if (first.nodeType === 1) {
    if (Array.from(first.childNodes).some((c) => c.nodeType === 1))
      throw new Unsupported(
        `XPath '${expr}' selects an element with element content: comparing XML fragments is not implemented`,
      );
    return first.textContent ?? '';
  }
  throw new Unsupported(`XPath '${expr}' selects a node of type ${first.nodeType}`);
}

export class Unsupported extends Error {}

export interface StepResult {
  testCase: string;
  step: string;
  /** Each failed assertion or error, as a sentence. Empty: the step passed. */
  failures: string[];
  status?: number;
  response?: string;
}

interface Exchange {
  status: number;
  body: string;
  doc?: Document;
}

export class SoapUiProject {
  readonly doc: Document;
  readonly root: Element;
  readonly properties = new Map<string, string>();

  constructor(xml: string) {
    this.doc = parseXml(xml);
    this.root = this.doc.documentElement as Element;
    if (this.root.localName !== 'soapui-project' || this.root.namespaceURI !== CON)
      throw new Error('not a SoapUI project: the root is not con:soapui-project');
    for (const p of children(child(this.root, 'properties')!, 'property'))
      this.properties.set(text(child(p, 'name')), text(child(p, 'value')));
  }

  interfaces(): Element[] {
    return children(this.root, 'interface');
  }

  testSuites(): Element[] {
    return children(this.root, 'testSuite');
  }

  testCases(): Element[] {
    return this.testSuites().flatMap((s) => children(s, 'testCase'));
  }

  /** The SOAPAction SoapUI sends for an interface's operation. */
  action(iface: string, operation: string): string {
    const i = this.interfaces().find((e) => e.getAttribute('name') === iface);
    const op = i && children(i, 'operation').find((o) => o.getAttribute('name') === operation);
    if (!op) throw new Error(`the project has no operation ${operation} on interface ${iface}`);
    return op.getAttribute('action') ?? '';
  }

  /** Runs a test case's steps in order, as SoapUI's runner does; returns each step's outcome. */
  async run(testCase: Element): Promise<StepResult[]> {
    const name = testCase.getAttribute('name') ?? '';
    const scopes = {
      Project: this.properties,
      TestSuite: props(testCase.parentNode as Element),
      TestCase: props(testCase),
    };
    const expand = (s: string) =>
      s.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => {
        const m = /^#(Project|TestSuite|TestCase)#(.+)$/.exec(inner);
        if (!m) throw new Unsupported(`property expansion \${${inner}} is not understood`);
        const v = scopes[m[1] as keyof typeof scopes].get(m[2]);
        if (v === undefined) throw new Error(`property ${m[1]}#${m[2]} is not defined`);
        return v;
      });
    const responses = new Map<string, Exchange>();
    const results: StepResult[] = [];
    for (const step of children(testCase, 'testStep')) {
      const stepName = step.getAttribute('name') ?? '';
      const r: StepResult = { testCase: name, step: stepName, failures: [] };
      results.push(r);
      try {
        if (step.getAttribute('disabled') === 'true') throw new Unsupported('the step is disabled');
        const config = child(step, 'config')!;
        const type = step.getAttribute('type');
        if (type === 'request') {
          const ex = await this.request(config, expand);
          responses.set(stepName, ex);
          r.status = ex.status;
          r.response = ex.body;
          r.failures.push(...this.check(config, ex, expand));
        } else if (type === 'transfer') {
          for (const t of children(config, 'transfers')) transfer(t, responses, scopes, expand);
        } else {
          throw new Unsupported(`test step type '${type}' is not understood`);
        }
      } catch (e) {
        r.failures.push(`${e instanceof Unsupported ? 'unsupported: ' : ''}${(e as Error).message}`);
      }
      // SoapUI's failOnError: the test case stops at its first failed step.
      if (r.failures.length && testCase.getAttribute('failOnError') !== 'false') break;
    }
    return results;
  }

  private async request(config: Element, expand: (s: string) => string): Promise<Exchange> {
    const req = child(config, 'request')!;
    const endpoint = expand(text(child(req, 'endpoint')));
    let body = expand(text(child(req, 'request')));
    const wss = req.getAttribute('outgoingWss');
    if (wss) body = this.applyWss(body, wss, expand);
    const action = this.action(text(child(config, 'interface')), text(child(config, 'operation')));
    const encoding = text(child(req, 'encoding')) || 'UTF-8';
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': `text/xml;charset=${encoding}`, SOAPAction: `"${action}"` },
      body,
    });
    const responseText = await res.text();
    let doc: Document | undefined;
    try {
      doc = parseXml(responseText);
    } catch {
      doc = undefined;
    }
    return { status: res.status, body: responseText, doc };
  }

  /** An outgoing WSS configuration (<con:wssContainer><con:outgoing>) applied to the envelope, as SoapUI/WSS4J add it. */
  private applyWss(envelope: string, name: string, expand: (s: string) => string): string {
    const container = child(this.root, 'wssContainer');
    const config = container && children(container, 'outgoing').find((o) => text(child(o, 'name')) === name);
    if (!config) throw new Error(`outgoing WSS configuration '${name}' is not in the project`);
    const doc = parseXml(envelope);
    const env = doc.documentElement as Element;
    if (env.namespaceURI !== SOAP11 || env.localName !== 'Envelope')
      throw new Error('the request is not a SOAP 1.1 envelope');
    const prefix = env.prefix ? `${env.prefix}:` : '';
    let header = child(env, 'Header', SOAP11);
    if (!header) {
      header = doc.createElementNS(SOAP11, `${prefix}Header`);
      env.insertBefore(header, child(env, 'Body', SOAP11) ?? null);
    }
    const security = doc.createElementNS(WSSE, 'wsse:Security');
    security.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:wsu', WSU);
    if (config.getAttribute('mustUnderstand') === 'true')
      security.setAttributeNS(SOAP11, `${prefix}mustUnderstand`, '1');
    for (const entry of children(config, 'entry')) {
      if (entry.getAttribute('type') !== 'Username')
        throw new Unsupported(`WSS entry type '${entry.getAttribute('type')}' is not understood`);
      const conf = child(entry, 'configuration');
      const passwordType = plain(conf, 'passwordType') ?? 'PasswordText';
      const username = expand(entry.getAttribute('username') ?? '');
      const password = expand(entry.getAttribute('password') ?? '');
      const nonce = randomBytes(16);
      const created = new Date().toISOString();
      const el = (ns: string, qname: string, value: string, attrs: Record<string, string> = {}) => {
        const e = doc.createElementNS(ns, qname);
        for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
        e.appendChild(doc.createTextNode(value));
        return e;
      };
      const token = doc.createElementNS(WSSE, 'wsse:UsernameToken');
      token.setAttributeNS(WSU, 'wsu:Id', `UsernameToken-${randomBytes(8).toString('hex')}`);
      token.appendChild(el(WSSE, 'wsse:Username', username));
      if (passwordType === 'PasswordText') {
        token.appendChild(el(WSSE, 'wsse:Password', password, { Type: `${TOKEN_PROFILE}#PasswordText` }));
      } else if (passwordType === 'PasswordDigest') {
        const digest = createHash('sha1')
          .update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password)]))
          .digest('base64');
        token.appendChild(el(WSSE, 'wsse:Password', digest, { Type: `${TOKEN_PROFILE}#PasswordDigest` }));
      } else {
        throw new Unsupported(`passwordType '${passwordType}' is not understood`);
      }
      if (plain(conf, 'addNonce') === 'true' || passwordType === 'PasswordDigest')
        token.appendChild(el(WSSE, 'wsse:Nonce', nonce.toString('base64'), { EncodingType: BASE64 }));
      if (plain(conf, 'addCreated') === 'true' || passwordType === 'PasswordDigest')
        token.appendChild(el(WSU, 'wsu:Created', created));
      security.appendChild(token);
    }
    header.appendChild(security);
    return new XMLSerializer().serializeToString(doc);
  }

  /** Every assertion of a request step against its exchange; the failures as sentences. */
  private check(config: Element, ex: Exchange, expand: (s: string) => string): string[] {
    const failures: string[] = [];
    const body = ex.doc ? soapBody(ex.doc) : undefined;
    const isFault = body?.localName === 'Fault' && body.namespaceURI === SOAP11;
    for (const a of children(child(config, 'request')!, 'assertion')) {
      const type = a.getAttribute('type') ?? '';
      const label = `${a.getAttribute('name') ?? type} (${type})`;
      const conf = child(a, 'configuration');
      const fail = (why: string) => failures.push(`${label}: ${why}`);
      try {
        if (a.getAttribute('disabled') === 'true') throw new Unsupported('the assertion is disabled');
        switch (type) {
          case 'SOAP Response':
            if (!body) fail('the response is not a SOAP 1.1 envelope with a Body element');
            break;
          case 'SOAP Fault Assertion':
            if (isFault) fail('the response is a SOAP Fault');
            break;
          case 'Not SOAP Fault Assertion':
            if (!isFault) fail('the response is not a SOAP Fault');
            break;
          case 'Valid HTTP Status Codes': {
            const codes = (plain(conf, 'codes') ?? '').split(',').map((c) => c.trim());
            if (!codes.includes(String(ex.status))) fail(`HTTP status ${ex.status} is not one of ${codes.join(', ')}`);
            break;
          }
          case 'XPath Match': {
            if (!ex.doc) throw new Error('the response is not XML');
            const path = plain(conf, 'path') ?? '';
            const expected = expand(plain(conf, 'content') ?? '');
            const actual = evaluateXPath(path, ex.doc);
            if (actual === undefined) fail(`no match in the response for ${path.split('\n').pop()}`);
            else if (!matches(actual, expected, plain(conf, 'allowWildcards') === 'true'))
              fail(`expected '${expected}', got '${actual}'`);
            break;
          }
          case 'Simple Contains':
          case 'Simple NotContains': {
            const token = expand(plain(conf, 'token') ?? '');
            const found = contains(
              ex.body,
              token,
              plain(conf, 'ignoreCase') === 'true',
              plain(conf, 'useRegEx') === 'true',
            );
            if (type === 'Simple Contains' && !found) fail(`the response does not contain '${token}'`);
            if (type === 'Simple NotContains' && found) fail(`the response contains '${token}'`);
            break;
          }
          default:
            throw new Unsupported(`assertion type '${type}' is not understood`);
        }
      } catch (e) {
        fail(`${e instanceof Unsupported ? 'unsupported: ' : ''}${(e as Error).message}`);
      }
    }
    return failures;
  }
}

function props(owner: Element): Map<string, string> {
  const m = new Map<string, string>();
  const p = child(owner, 'properties');
  if (p) for (const e of children(p, 'property')) m.set(text(child(e, 'name')), text(child(e, 'value')));
  return m;
}

function soapBody(doc: Document): Element | undefined {
  const env = doc.documentElement as Element;
  if (env.namespaceURI !== SOAP11 || env.localName !== 'Envelope') return undefined;
  const body = child(env, 'Body', SOAP11);
  return body ? children(body)[0] : undefined;
}

/** A Property Transfer from a request step's response into a property (the only kind this project uses). */
function transfer(
  t: Element,
  responses: Map<string, Exchange>,
  scopes: Record<string, Map<string, string>>,
  expand: (s: string) => string,
): void {
  const name = text(child(t, 'name'));
  if (t.getAttribute('disabled') === 'true') throw new Unsupported(`transfer ${name} is disabled`);
  if (text(child(t, 'sourceType')) !== 'Response')
    throw new Unsupported(`transfer ${name}: source type '${text(child(t, 'sourceType'))}' is not understood`);
  const type = text(child(t, 'type'));
  if (type !== '' && type !== 'XPATH')
    throw new Unsupported(`transfer ${name}: path language '${type}' is not understood`);
  const target = /^#(Project|TestSuite|TestCase)#$/.exec(text(child(t, 'targetStep')));
  if (!target)
    throw new Unsupported(
      `transfer ${name}: target step '${text(child(t, 'targetStep'))}' is not understood (only #Project#, #TestSuite#, #TestCase#)`,
    );
  const source = responses.get(text(child(t, 'sourceStep')));
  if (!source?.doc) throw new Error(`transfer ${name}: step '${text(child(t, 'sourceStep'))}' has no XML response`);
  const value = evaluateXPath(expand(text(child(t, 'sourcePath'))), source.doc);
  if (value === undefined) throw new Error(`transfer ${name}: the source path matches nothing`);
  scopes[target[1]].set(text(child(t, 'targetType')), value);
}

/** SoapUI's XPath Match comparison: exact, or with '*' matching any run of characters. */
function matches(actual: string, expected: string, wildcards: boolean): boolean {
  if (!wildcards) return actual === expected;
  const re = expected
    .split('*')
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`, 's').test(actual);
}

/** SoapUI's Contains: a substring, or with useRegEx a Java-style whole-content match (Pattern.DOTALL). */
function contains(content: string, token: string, ignoreCase: boolean, regex: boolean): boolean {
  if (regex) return new RegExp(`^(?:${token})$`, ignoreCase ? 'si' : 's').test(content);
  return ignoreCase ? content.toLowerCase().includes(token.toLowerCase()) : content.includes(token);
}
