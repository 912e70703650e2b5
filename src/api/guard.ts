/**
 * Checks every POST before node-soap parses it: size, no DTD (so no external entities and no
 * entity expansion, WS-I BP R1008), well-formed, a SOAP 1.1 or 1.2 envelope (optional Header, one Body)
 * whose Body holds exactly one known operation whose SOAPAction (if given) agrees with the body,
 * with namespace-qualified parameters. It also refuses what node-soap's own parser mishandles
 * (mixed content, SOAP-encoding id/href references, element names of Object.prototype, CDATA
 * holding a nested document, very deep nesting), since those fail below with an internal error
 * instead of a fault, or worse. A refusal here is a contract fault, never a stack trace, and
 * nothing below is reached.
 *
 * The same pass collects the operation's parameters (Inspected.args), so the commissioning
 * service answers without parsing the request a second time.
 */
import { SaxesParser } from 'saxes';
import { IpcdError, invalid } from '../logic/core/errors';
import type { UsernameToken } from '../logic/access/auth';
import { WSSE_NS, WSU_NS } from '../contract';
import { SOAP11_NS, SOAP12_NS, type Contract } from './contract';
import { VersionMismatch, type EnvelopeSeen, type SoapVersion } from './soap-version';

export interface Inspected {
  operation: string;
  /** The envelope's SOAP version: the reply speaks it too. */
  version: SoapVersion;
  /** The WS-Security UsernameToken, when the Header carries one. */
  token?: UsernameToken;
  /**
   * The operation's child elements as node-soap hands them to a handler: local name to text
   * (each text piece trimmed), an empty or xsi:nil element as null, a repeated element as an
   * array, an element holding elements as an object of them.
   */
  args: Record<string, unknown>;
}

const TOKEN_FIELDS: Record<string, string> = {
  [`${WSSE_NS} Username`]: 'username',
  [`${WSSE_NS} Password`]: 'password',
  [`${WSSE_NS} Nonce`]: 'nonce',
  [`${WSU_NS} Created`]: 'created',
};

/**
 * Deepest element nesting accepted. The contract needs four levels (Envelope, Body, operation,
 * parameter); header blocks a few more. Deeper documents only cost time and stack further down.
 */
const MAX_DEPTH = 32;

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** node-soap's own parser reads a CDATA section that looks like this as a nested document. */
const NESTED_DOCUMENT = /<\?xml[\s\S]+\?>/;

interface Open {
  uri: string;
  local: string;
  text: boolean;
  children: boolean;
  /** Set on the operation element and everything inside it: what it holds, as args. */
  value?: Collected;
}

interface Collected {
  text: string;
  nil: boolean;
  children?: Record<string, unknown>;
}

/** seen.version is set as soon as the root element is read, so a refusal after it can be answered in that version. */
export function inspectEnvelope(
  xml: string,
  soapAction: string | undefined,
  contract: Contract,
  seen: EnvelopeSeen = {},
): Inspected {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw invalid('a SOAP message must not contain a document type declaration (DTD) or entity declarations');
  }
  const path: Open[] = [];
  let operation: string | undefined;
  let args: Record<string, unknown> = {};
  let sawEnvelope = false;
  let env = SOAP11_NS; // the envelope's namespace: its Header, Body and attributes are in it
  let sawHeader = false;
  let sawBody = false;
  const name = (e: { uri: string; local: string }) => `{${e.uri}}${e.local}`;
  const mixed = (e: Open) =>
    invalid(`element ${name(e)} mixes text with child elements; the contract has no mixed content`);
  const sawText = (text: string) => {
    const top = path[path.length - 1];
    if (!top || text.trim() === '') return;
    if (top.children) throw mixed(top);
    if (path.length === 3 && path[1].local === 'Body') {
      throw invalid(`the operation ${top.local} holds text; its parameters must be child elements`);
    }
    top.text = true;
  };
  // UsernameToken fields, collected while parsing: Envelope/Header/Security/UsernameToken/field.
  const tokenFields: Record<string, string> = {};
  let passwordType: string | undefined;
  let tokenField: string | undefined;
  let sawToken = false;
  // A Body parameter named password, as written: node-soap trims element text before the service
  // sees it, so white space around a new password would be dropped silently.
  let passwordText: string | undefined;
  // node-soap's sax trims every text piece (around a comment: both halves) and ignores attributes.
  const collectText = (text: string) => {
    const top = path[path.length - 1]?.value;
    if (top) top.text += text.trim();
  };
  const parser = new SaxesParser({ xmlns: true, position: true });
  parser.on('opentag', (tag) => {
    const here: Open = { uri: tag.uri ?? '', local: tag.local ?? tag.name, text: false, children: false };
    const parent = path[path.length - 1];
    if (path.length >= MAX_DEPTH) throw invalid(`the document nests elements more than ${MAX_DEPTH} deep`);
    // node-soap keeps element names and id/href references in plain objects: a name such as
    // __proto__ or constructor crashes it, and id="__proto__" writes to Object.prototype,
    // which breaks every later request of the process.
    if (here.local in Object.prototype) throw invalid(`the element name '${here.local}' is not allowed`);
    for (const a of Object.values(tag.attributes)) {
      if (typeof a !== 'object') continue;
      if (a.prefix === '' && (a.local === 'id' || a.local === 'href')) {
        throw invalid(
          `the attribute '${a.local}' (a SOAP-encoding reference) is not allowed: the contract is document/literal`,
        );
      }
      // node-soap looks namespaces and xsi:type names up as plain-object keys as well.
      const key = a.uri === XMLNS_NS ? a.value : a.local === 'type' ? a.value.slice(a.value.indexOf(':') + 1) : '';
      if (key !== '' && key in Object.prototype)
        throw invalid(`the ${a.uri === XMLNS_NS ? 'namespace' : 'type'} name '${key}' is not allowed`);
    }
    if (parent) {
      if (parent.text) throw mixed(parent);
      parent.children = true;
    }
    if (path.length === 0) {
      if (here.local === 'Envelope' && here.uri !== '' && here.uri !== SOAP11_NS && here.uri !== SOAP12_NS)
        throw new VersionMismatch(here.uri);
      if (here.local !== 'Envelope' || (here.uri !== SOAP11_NS && here.uri !== SOAP12_NS)) {
        throw invalid(`the document is not a SOAP envelope (its root element is ${name(here)})`);
      }
      env = here.uri;
      seen.version = env === SOAP12_NS ? '1.2' : '1.1';
      sawEnvelope = true;
    } else if (path.length === 1) {
      // SOAP 1.1 section 4 and WS-I BP R1011: an optional Header, then the Body, nothing else.
      if (here.uri === env && here.local === 'Header' && !sawHeader && !sawBody) sawHeader = true;
      else if (here.uri === env && here.local === 'Body' && !sawBody) sawBody = true;
      else
        throw invalid(
          `the SOAP envelope holds an optional Header and then one Body, nothing else; found ${name(here)}`,
        );
    } else if (path.length === 2 && path[1].local === 'Header') {
      const envAttr = (local: string) => {
        const a = Object.values(tag.attributes).find(
          (x) => typeof x === 'object' && x.uri === env && x.local === local,
        );
        return typeof a === 'object' ? a.value.trim() : undefined;
      };
      const understood = here.uri === WSSE_NS && here.local === 'Security';
      // SOAP 1.2 §5.2.2: a block for another role (none, or a named intermediary) is not ours to understand.
      const role = env === SOAP12_NS ? envAttr('role') : undefined;
      const ours =
        role === undefined || role === `${SOAP12_NS}/role/next` || role === `${SOAP12_NS}/role/ultimateReceiver`;
      if (ours && /^(1|true)$/.test(envAttr('mustUnderstand') ?? '') && !understood) {
        throw new IpcdError('MUST_UNDERSTAND', `ipcd does not understand the mandatory header ${name(here)}`);
      }
    } else if (
      path.length === 3 &&
      path[1].local === 'Header' &&
      path[2].uri === WSSE_NS &&
      path[2].local === 'Security' &&
      here.uri === WSSE_NS &&
      here.local === 'UsernameToken'
    ) {
      if (sawToken) throw invalid('the wsse:Security header holds more than one UsernameToken');
      sawToken = true;
    } else if (path.length === 4 && path[3].local === 'UsernameToken' && path[3].uri === WSSE_NS) {
      tokenField = TOKEN_FIELDS[`${here.uri} ${here.local}`];
      if (tokenField === 'password') {
        const type = Object.values(tag.attributes).find(
          (a) => typeof a === 'object' && a.uri === '' && a.local === 'Type',
        );
        passwordType = typeof type === 'object' ? type.value : undefined;
      }
    } else if (path.length === 2 && path[1].local === 'Body') {
      if (operation)
        throw invalid(`the SOAP Body must hold exactly one operation element; found ${name(here)} after ${operation}`);
      operation = checkOperation(here, soapAction, contract);
    } else if (path.length === 3 && path[1].local === 'Body' && here.uri !== contract.ns) {
      throw invalid(
        `the parameter ${name(here)} is not in the contract's namespace ${contract.ns} (the schema's elements are namespace-qualified)`,
      );
    }
    if (path.length === 3 && path[1].local === 'Body' && here.local === 'password') passwordText = '';
    if (path.length >= 2 && path[1].local === 'Body') here.value = collected(here, tag.attributes, path.length > 2);
    path.push(here); // saxes sends closetag for self-closing tags too
  });
  parser.on('closetag', () => {
    const closed = path.pop()!;
    if (closed.value) {
      const { value } = closed;
      const parent = path[path.length - 1].value;
      if (!parent) args = value.children ?? {};
      else
        add(
          (parent.children ??= {}),
          closed.local,
          value.nil ? null : (value.children ?? (value.text === '' ? null : value.text)),
        );
    }
    tokenField = undefined;
    if (passwordText !== undefined && passwordText.trim() !== passwordText)
      throw invalid('a password must not begin or end with white space');
    passwordText = undefined;
  });
  parser.on('text', (text) => {
    sawText(text);
    collectText(text);
    if (tokenField !== undefined) tokenFields[tokenField] = (tokenFields[tokenField] ?? '') + text;
    if (passwordText !== undefined) passwordText += text;
  });
  // SOAP 1.2 Part 1 §5: a SOAP message MUST NOT contain processing instructions.
  parser.on('processinginstruction', (pi) => {
    if (env === SOAP12_NS)
      throw invalid(`a SOAP 1.2 message must not contain processing instructions (found <?${pi.target}?>)`);
  });
  parser.on('cdata', (text) => {
    if (NESTED_DOCUMENT.test(text.trim())) throw invalid('a CDATA section must not hold an XML document');
    sawText(text);
    collectText(text);
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    if (e instanceof IpcdError || e instanceof VersionMismatch) throw e;
    throw invalid(`the request is not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!sawEnvelope) throw invalid('the request body is empty or not XML');
  if (!operation) throw invalid('the SOAP Body names no operation');
  return {
    operation,
    version: seen.version ?? '1.1',
    token: sawToken ? usernameToken(tokenFields, passwordType) : undefined,
    args,
  };
}

type Attributes = Record<string, string | { uri: string; local: string; value: string }>;

/**
 * A parameter's attributes: namespace declarations and xsi:type are ignored, xsi:nil="true" makes
 * it empty; the contract's parameters carry no other.
 */
function collected(e: Open, attributes: Attributes, parameter: boolean): Collected {
  let nil = false;
  for (const a of Object.values(attributes)) {
    if (typeof a !== 'object' || a.uri === XMLNS_NS || !parameter) continue;
    if (a.uri === XSI_NS && a.local === 'nil') nil = /^(1|true)$/.test(a.value.trim());
    else if (a.uri !== XSI_NS || a.local !== 'type')
      throw invalid(`the element ${e.local} carries the attribute ${a.local}; the contract's parameters carry none`);
  }
  return { text: '', nil };
}

/** A repeated element becomes an array of its values. */
function add(into: Record<string, unknown>, key: string, value: unknown): void {
  const had = into[key];
  if (had === undefined) into[key] = value;
  else if (Array.isArray(had)) had.push(value);
  else into[key] = [had, value];
}

function usernameToken(f: Record<string, string>, type: string | undefined): UsernameToken {
  if (!f.username?.trim() || f.password === undefined)
    throw new IpcdError('AUTHENTICATION_FAILED', 'the UsernameToken needs a Username and a Password');
  const kind =
    type === undefined || type.endsWith('#PasswordText')
      ? 'PasswordText'
      : type.endsWith('#PasswordDigest')
        ? 'PasswordDigest'
        : undefined;
  if (!kind)
    throw new IpcdError(
      'AUTHENTICATION_FAILED',
      `the UsernameToken's Password Type '${type}' is not PasswordText or PasswordDigest`,
    );
  return {
    username: f.username.trim(),
    password: kind === 'PasswordText' ? f.password : f.password.trim(),
    type: kind,
    nonce: f.nonce?.trim(),
    created: f.created?.trim(),
  };
}

/** The Body's one child: an operation of the contract, agreeing with the SOAPAction if one is given. */
function checkOperation(element: { uri: string; local: string }, soapAction: string | undefined, c: Contract): string {
  const known = c.operations.find((o) => o === element.local);
  if (element.uri !== c.ns || !known) {
    throw new IpcdError(
      'UNSUPPORTED_OPERATION',
      `ipcd does not offer the operation {${element.uri}}${element.local}; ${c.endpoint} offers ${c.operations.join(', ')} in ${c.ns}`,
    );
  }
  const action = soapAction?.replace(/^"|"$/g, '');
  if (action && action !== `${c.ns}/${known}`) {
    throw invalid(
      `the SOAPAction '${action}' does not match the body's operation ${known} (expected '${c.ns}/${known}')`,
    );
  }
  return known;
}
