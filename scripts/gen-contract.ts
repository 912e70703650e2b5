/**
 * Writes src/contract/generated/*.ts from wsdl/*.wsdl: the target namespace, enumerations (as
 * const arrays and union types, tns:FaultCode among them), an interface per message element and
 * complex type, and the contract as data (element order, occurrences, defaults, simple-type facets,
 * the portType's operations) for the server and the client to walk.
 *
 * Only wsdl:types (and any schema they xsd:include), wsdl:message and wsdl:portType are read;
 * bindings, services, policies and extension elements are skipped, so a SOAP 1.2 binding or a
 * WS-Policy changes nothing here. A schema construct the generator does not know fails the build
 * rather than being dropped. `npm run build` runs it; `--check` only says whether the files are current.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SaxesParser } from 'saxes';
import { BUILTIN_KINDS, type ContractModel, type Field, type SimpleType } from '../src/contract/model';

export const SOURCES = [
  { wsdl: 'ipcd.wsdl', module: 'commissioning' },
  { wsdl: 'ipcd-admin.wsdl', module: 'management' },
] as const;

const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

interface Node {
  uri: string;
  local: string;
  attrs: Record<string, string>;
  /** Prefix → namespace in scope here (QName attribute values are resolved with it). */
  scope: Record<string, string>;
  children: Node[];
  text: string;
}

function parse(text: string, file: string): Node {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: Node[] = [];
  let root: Node | undefined;
  parser.on('opentag', (t) => {
    const parent = stack[stack.length - 1];
    const attrs: Record<string, string> = {};
    for (const a of Object.values(t.attributes)) if (typeof a === 'object' && a.uri === '') attrs[a.local] = a.value;
    const node: Node = {
      uri: t.uri ?? '',
      local: t.local ?? t.name,
      attrs,
      scope: { ...parent?.scope, ...t.ns },
      children: [],
      text: '',
    };
    if (parent) parent.children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on('text', (x) => {
    if (stack.length) stack[stack.length - 1].text += x;
  });
  parser.on('closetag', () => void stack.pop());
  try {
    parser.write(text).close();
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  if (!root) throw new Error(`${file}: no document element`);
  return root;
}

const is = (n: Node, uri: string, local: string) => n.uri === uri && n.local === local;
const xsd = (n: Node, local: string) => is(n, XSD_NS, local);
const docOf = (n: Node, uri = XSD_NS): string | undefined => {
  const holder = uri === XSD_NS ? n.children.find((c) => xsd(c, 'annotation')) : n;
  const doc = holder?.children
    .find((c) => is(c, uri, 'documentation'))
    ?.text.replace(/\s+/g, ' ')
    .trim();
  return doc || undefined;
};

interface GenField extends Field {
  doc?: string;
}
interface Decl {
  kind: 'simple' | 'complex' | 'element';
  key: string;
  doc?: string;
}
interface GenOperation {
  name: string;
  input: string;
  output: string;
  faults: string[];
  doc?: string;
}

/** What the generator reads from one WSDL, documentation included. */
export interface GenModel {
  file: string;
  ns: string;
  operations: GenOperation[];
  elements: Map<string, string>;
  types: Map<string, GenField[]>;
  simpleTypes: Map<string, SimpleType>;
  /** Declarations in document order, for the emitted module's order. */
  decls: Decl[];
}

/**
 * Reads a WSDL's contract. `load` reads a schema an xsd:include names (relative to the WSDL).
 */
export function readContract(
  text: string,
  file: string,
  load: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): GenModel {
  const root = parse(text, file);
  if (!is(root, WSDL_NS, 'definitions')) throw new Error(`${file}: the document element is not wsdl:definitions`);
  const ns = root.attrs.targetNamespace;
  if (!ns) throw new Error(`${file}: wsdl:definitions has no targetNamespace`);
  const m: GenModel = {
    file,
    ns,
    operations: [],
    elements: new Map(),
    types: new Map(),
    simpleTypes: new Map(),
    decls: [],
  };
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };

  /** A QName attribute value as a key of this contract, or 'xsd:…'. */
  const typeRef = (n: Node, qname: string): string => {
    const colon = qname.indexOf(':');
    const uri = n.scope[colon < 0 ? '' : qname.slice(0, colon)];
    const local = qname.slice(colon + 1);
    if (uri === XSD_NS)
      return BUILTIN_KINDS[local] ? `xsd:${local}` : fail(`the built-in type xsd:${local} is not supported`);
    if (uri === ns) return local;
    return fail(`${qname} is not in the target namespace ${ns}: schemas of other namespaces are not supported`);
  };

  const define = <T>(map: Map<string, T>, key: string, value: T) => {
    if (map.has(key)) fail(`${key} is defined twice`);
    map.set(key, value);
  };

  function simpleType(key: string, n: Node): void {
    const restriction = n.children.find((c) => xsd(c, 'restriction'));
    const other = n.children.find((c) => c.uri === XSD_NS && c.local !== 'annotation' && c !== restriction);
    if (!restriction || other) fail(`the simple type ${key} is not an xsd:restriction`);
    const s: { -readonly [K in keyof SimpleType]: SimpleType[K] } = {
      base: typeRef(restriction!, restriction!.attrs.base ?? fail(`${key}: a restriction without a base`)),
    };
    for (const f of restriction!.children) {
      const value = f.attrs.value;
      if (xsd(f, 'annotation') || xsd(f, 'whiteSpace')) continue;
      if (f.uri !== XSD_NS || value === undefined) fail(`${key}: the facet ${f.local} is not supported`);
      if (f.local === 'enumeration') s.enumeration = [...(s.enumeration ?? []), value];
      else if (f.local === 'pattern') s.pattern = [...(s.pattern ?? []), value];
      else if (['minInclusive', 'maxInclusive', 'minExclusive', 'maxExclusive'].includes(f.local))
        s[f.local as 'minInclusive'] = value;
      else if (['length', 'minLength', 'maxLength'].includes(f.local)) s[f.local as 'length'] = Number(value);
      else fail(`${key}: the facet xsd:${f.local} is not supported`);
    }
    define(m.simpleTypes, key, s);
  }

  /** A local element's type: a reference, or an anonymous type defined under `${owner}.${name}`. */
  function localType(owner: string, e: Node): string {
    if (e.attrs.type) return typeRef(e, e.attrs.type);
    const key = `${owner}.${e.attrs.name}`;
    const simple = e.children.find((c) => xsd(c, 'simpleType'));
    const complex = e.children.find((c) => xsd(c, 'complexType'));
    if (simple) simpleType(key, simple);
    else if (complex) complexType(key, complex);
    else fail(`${key} has no type`);
    return key;
  }

  function complexType(key: string, n: Node): void {
    const fields: GenField[] = [];
    define(m.types, key, fields); // first, so a type may refer to itself
    for (const c of n.children) {
      if (xsd(c, 'annotation')) continue;
      if (!xsd(c, 'sequence')) fail(`the complex type ${key} uses xsd:${c.local}: only xsd:sequence is supported`);
      for (const e of c.children) {
        if (xsd(e, 'annotation')) continue;
        // A choice of single elements: each is optional here (that exactly one is present is not checked).
        const choice = xsd(e, 'choice') && e.attrs.minOccurs === undefined && e.attrs.maxOccurs === undefined;
        for (const a of choice ? e.children.filter((x) => !xsd(x, 'annotation')) : [e])
          fields.push(member(key, a, fields, choice));
      }
    }
  }

  /** A sequence's element: named (its type local or referenced), or a ref to a global element (resolved once all are read). */
  function member(key: string, e: Node, fields: GenField[], inChoice: boolean): GenField {
    const ref = xsd(e, 'element') && !e.attrs.name && e.attrs.ref ? typeRef(e, e.attrs.ref) : undefined;
    if (!xsd(e, 'element') || (!e.attrs.name && !ref))
      fail(`${key}: xsd:${e.local} in a ${inChoice ? 'choice' : 'sequence'} is not supported, only xsd:element`);
    if (inChoice && (e.attrs.minOccurs !== undefined || e.attrs.maxOccurs !== undefined))
      fail(`${key}: an xsd:choice alternative with occurrences is not supported`);
    const max = e.attrs.maxOccurs ?? '1';
    const field: GenField = {
      name: e.attrs.name ?? ref!,
      type: ref ? `ref:${ref}` : localType(key, e),
      min: inChoice ? 0 : Number(e.attrs.minOccurs ?? '1'),
      max: max === 'unbounded' ? null : Number(max),
    };
    if (e.attrs.default !== undefined) field.default = e.attrs.default;
    const doc = docOf(e);
    if (doc) field.doc = doc;
    if (fields.some((f) => f.name === field.name))
      fail(`${key}: the element ${field.name} appears twice in the sequence`);
    return field;
  }

  function schema(s: Node, where: string): void {
    if (s.attrs.targetNamespace !== ns)
      fail(`the schema in ${where} has the targetNamespace ${s.attrs.targetNamespace}, not ${ns}`);
    if (s.attrs.elementFormDefault !== 'qualified')
      fail(`the schema in ${where} must say elementFormDefault="qualified"`);
    for (const c of s.children) {
      const name = c.attrs.name;
      if (xsd(c, 'annotation')) continue;
      if (xsd(c, 'include')) {
        const path = resolve(dirname(where), c.attrs.schemaLocation ?? fail('an xsd:include without a schemaLocation'));
        const included = parse(load(path), path);
        if (!xsd(included, 'schema')) fail(`${path} is not an XML Schema`);
        schema(included, path);
      } else if (xsd(c, 'simpleType') && name) {
        simpleType(name, c);
        m.decls.push({ kind: 'simple', key: name, doc: docOf(c) });
      } else if (xsd(c, 'complexType') && name) {
        complexType(name, c);
        m.decls.push({ kind: 'complex', key: name, doc: docOf(c) });
      } else if (xsd(c, 'element') && name) {
        const complex = c.children.find((x) => xsd(x, 'complexType'));
        if (complex) complexType(name, complex);
        define(
          m.elements,
          name,
          complex ? name : c.attrs.type ? typeRef(c, c.attrs.type) : fail(`the element ${name} has no type`),
        );
        m.decls.push({ kind: 'element', key: name, doc: docOf(c) });
      } else fail(`xsd:${c.local} at the top of the schema is not supported`);
    }
  }

  const messages = new Map<string, string>();
  const portTypes: Node[] = [];
  for (const c of root.children) {
    if (is(c, WSDL_NS, 'types')) for (const s of c.children) if (xsd(s, 'schema')) schema(s, file);
    if (is(c, WSDL_NS, 'message')) {
      const parts = c.children.filter((p) => is(p, WSDL_NS, 'part'));
      if (parts.length !== 1 || !parts[0].attrs.element)
        fail(`the message ${c.attrs.name} must have one part naming an element (document/literal)`);
      messages.set(c.attrs.name, typeRef(parts[0], parts[0].attrs.element));
    }
    if (is(c, WSDL_NS, 'portType')) portTypes.push(c);
  }
  if (portTypes.length !== 1) fail(`one wsdl:portType expected, found ${portTypes.length}`);
  const elementOf = (n: Node) => {
    const msg = n.attrs.message ? typeRef(n, n.attrs.message) : fail(`wsdl:${n.local} without a message`);
    return messages.get(msg) ?? fail(`the message ${msg} is not defined`);
  };
  for (const o of portTypes[0].children.filter((x) => is(x, WSDL_NS, 'operation'))) {
    const one = (local: string) =>
      o.children.find((x) => is(x, WSDL_NS, local)) ?? fail(`the operation ${o.attrs.name} has no wsdl:${local}`);
    const faults = o.children.filter((x) => is(x, WSDL_NS, 'fault')).map(elementOf);
    m.operations.push({
      name: o.attrs.name,
      input: elementOf(one('input')),
      output: elementOf(one('output')),
      faults,
      doc: docOf(o, WSDL_NS),
    });
  }
  // An element ref ('ref:' until all are read) takes the referenced global element's type.
  for (const [key, fs] of m.types)
    for (const f of fs)
      if (f.type.startsWith('ref:'))
        f.type = m.elements.get(f.type.slice(4)) ?? fail(`${key}: ${f.type} is not defined`);
  check(m, fail);
  return m;
}

/** Every reference resolves, and every message element is a structure. */
function check(m: GenModel, fail: (what: string) => never): void {
  const known = (t: string) => t.startsWith('xsd:') || m.types.has(t) || m.simpleTypes.has(t);
  for (const [key, s] of m.simpleTypes)
    if (!known(s.base) || m.types.has(s.base)) fail(`${key}: the base ${s.base} is not a simple type`);
  for (const [key, fields] of m.types)
    for (const f of fields) if (!known(f.type)) fail(`${key}.${f.name}: the type ${f.type} is not defined`);
  for (const [name, type] of m.elements) if (!m.types.has(type)) fail(`the element ${name} is not of a complex type`);
  for (const o of m.operations)
    for (const e of [o.input, o.output, ...o.faults])
      if (!m.elements.has(e)) fail(`${o.name}: the element ${e} is not defined`);
  const names = new Set<string>();
  for (const d of m.decls) {
    const ts = tsName(d.key);
    if (d.kind === 'simple' && !m.simpleTypes.get(d.key)!.enumeration) continue;
    if (names.has(ts)) fail(`${d.key}: two declarations would both be the TypeScript name ${ts}`);
    names.add(ts);
  }
}

/** The contract as data, without documentation: what the generated CONTRACT holds. */
export function modelOf(m: GenModel): ContractModel {
  const strip = (f: GenField): Field => {
    const { doc: _doc, ...field } = f;
    return field;
  };
  return {
    ns: m.ns,
    operations: Object.fromEntries(
      m.operations.map((o) => [o.name, { input: o.input, output: o.output, faults: o.faults }]),
    ),
    elements: Object.fromEntries(m.elements),
    types: Object.fromEntries([...m.types].map(([k, fs]) => [k, fs.map(strip)])),
    simpleTypes: Object.fromEntries(m.simpleTypes),
  };
}

// --- emitting TypeScript --------------------------------------------------------------------------

/** 'SplitNetwork.prefixLength' → 'SplitNetworkPrefixLength'. */
const tsName = (key: string) => key.replace(/\.(.)/g, (_, c: string) => c.toUpperCase());
const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const prop = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k));
const comment = (doc: string | undefined, indent = '') =>
  doc ? `${indent}/** ${doc.replace(/\*\//g, '*\\/')} */\n` : '';

function literal(v: unknown): string {
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  return `{ ${Object.entries(v as object)
    .map(([k, x]) => `${prop(k)}: ${literal(x)}`)
    .join(', ')} }`;
}

/** Whether a complex type's values (nested ones included) use dateTime, date or decimal. */
function scalarUser(m: GenModel): (key: string) => boolean {
  const memo = new Map<string, boolean>();
  const builtin = (t: string): string =>
    t.startsWith('xsd:') ? BUILTIN_KINDS[t.slice(4)] : m.types.has(t) ? 'complex' : builtin(m.simpleTypes.get(t)!.base);
  const uses = (key: string): boolean => {
    if (!memo.has(key)) {
      memo.set(key, false); // a cycle adds nothing
      memo.set(
        key,
        m.types
          .get(key)!
          .some((f) =>
            m.types.has(f.type) ? uses(f.type) : ['decimal', 'dateTime', 'date'].includes(builtin(f.type)),
          ),
      );
    }
    return memo.get(key)!;
  };
  return uses;
}

export function emit(m: GenModel, source: string): string {
  const uses = scalarUser(m);
  const ref = (key: string) => `${tsName(key)}${uses(key) ? '<S>' : ''}`;
  const elementRef = (name: string) => `${tsName(name)}${uses(m.elements.get(name)!) ? '<S>' : ''}`;
  const tsType = (t: string): string => {
    if (t.startsWith('xsd:')) {
      const b = BUILTIN_KINDS[t.slice(4)];
      return b === 'decimal' || b === 'dateTime' || b === 'date' ? `S['${b}']` : b === 'integer' ? 'number' : b;
    }
    if (m.types.has(t)) return ref(t);
    const s = m.simpleTypes.get(t)!;
    if (s.enumeration) return m.decls.some((d) => d.key === t) ? tsName(t) : s.enumeration.map(quote).join(' | ');
    return tsType(s.base);
  };
  const params = (key: string) => (uses(key) ? '<S extends Scalars = Wire>' : '');
  const body = (key: string) =>
    m.types
      .get(key)!
      .map((f) => {
        const many = f.max === null || f.max > 1;
        const doc = [f.doc, f.default !== undefined ? `Default: ${f.default}.` : undefined].filter(Boolean).join(' ');
        return `${comment(doc, '  ')}  ${f.name}${f.min === 0 && !many ? '?' : ''}: ${tsType(f.type)}${many ? '[]' : ''};\n`;
      })
      .join('');
  const out: string[] = [
    `// Generated from ${source} by scripts/gen-contract.ts (npm run build runs it). Do not edit: edit the WSDL.\n`,
    `import type { ContractModel, Scalars, Wire } from '../model';\n`,
    `\n/** The target namespace of ${source}. */\nexport const NS = ${quote(m.ns)};\n`,
  ];
  const interfaces = new Set<string>();
  const anonymous = (prefix: string) => [...m.types.keys()].filter((k) => k.startsWith(`${prefix}.`));
  const iface = (key: string, doc?: string) => {
    for (const nested of anonymous(key)) iface(nested);
    if (interfaces.has(key)) return;
    interfaces.add(key);
    out.push(`\n${comment(doc)}export interface ${tsName(key)}${params(key)} {\n${body(key)}}\n`);
  };
  for (const d of m.decls) {
    if (d.kind === 'simple') {
      const s = m.simpleTypes.get(d.key)!;
      if (!s.enumeration) continue;
      const n = tsName(d.key);
      out.push(
        `\n${comment(d.doc)}export const ${n} = ${literal(s.enumeration)} as const;\nexport type ${n} = (typeof ${n})[number];\n`,
      );
    } else if (d.kind === 'complex' || m.elements.get(d.key) === d.key) {
      iface(d.key, d.doc);
    } else {
      const t = m.elements.get(d.key)!;
      out.push(`\n${comment(d.doc)}export type ${tsName(d.key)}${params(t)} = ${ref(t)};\n`);
    }
  }
  const model = modelOf(m);
  const block = (name: string, entries: [string, unknown][], each: (v: unknown) => string) =>
    `  ${name}: {\n${entries.map(([k, v]) => `    ${prop(k)}: ${each(v)},\n`).join('')}  },\n`;
  const fieldList = (v: unknown) => `[\n${(v as Field[]).map((f) => `      ${literal(f)},\n`).join('')}    ]`;
  out.push(
    `\n/** The contract as data: operations, element order and occurrences, defaults, simple-type facets. */\n`,
    `export const CONTRACT = {\n  ns: NS,\n`,
    block('operations', Object.entries(model.operations), literal),
    block('elements', Object.entries(model.elements), literal),
    block('types', Object.entries(model.types), fieldList),
    block('simpleTypes', Object.entries(model.simpleTypes), literal),
    `} satisfies ContractModel;\n`,
  );
  out.push(
    `\n/** Each operation's request and response element. */\nexport interface Operations<S extends Scalars = Wire> {\n`,
    ...m.operations.map(
      (o) =>
        `${comment(o.doc, '  ')}  ${o.name}: { input: ${elementRef(o.input)}; output: ${elementRef(o.output)} };\n`,
    ),
    `}\nexport type OperationName = keyof Operations;\n`,
  );
  return out.join('');
}

/** The generated module's text for each WSDL of the repository at `root`. */
export function generateAll(root: string): { path: string; text: string }[] {
  return SOURCES.map(({ wsdl, module }) => {
    const file = join(root, 'wsdl', wsdl);
    return {
      path: join(root, 'src', 'contract', 'generated', `${module}.ts`),
      text: emit(readContract(readFileSync(file, 'utf8'), file), `wsdl/${wsdl}`),
    };
  });
}

function main(args: string[]): number {
  let root = resolve(__dirname);
  while (!existsSync(join(root, 'wsdl')) && dirname(root) !== root) root = dirname(root);
  const stale: string[] = [];
  for (const { path, text } of generateAll(root)) {
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    stale.push(path);
    if (args.includes('--check')) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    process.stdout.write(`gen-contract: wrote ${path}\n`);
  }
  if (args.includes('--check') && stale.length) {
    process.stderr.write(`gen-contract: not current (run npm run build): ${stale.join(', ')}\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
