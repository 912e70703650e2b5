/**
 * Requests and replies as the contract (src/contract) says: a request object becomes its elements
 * in the schema's order, nested structures and repeated elements included; a reply element becomes
 * an object of typed values (integers, booleans, enumerations checked, dateTime as Date), a
 * required element missing being an error. Elements the contract does not name are not written,
 * and in a reply they are skipped (a newer server may add optional ones).
 */
import { enumerationOf, fieldsOf, isComplex, isRepeated, kindOf, type ContractModel, type Field } from '../contract';
import { childrenNamed, xmlText, type XmlNode } from './soap';

/** The values a reply is read into. */
export interface Decoded {
  dateTime: Date;
  date: string;
  decimal: number;
}

/** The values a request may give. */
export interface Encodable {
  dateTime: Date | string;
  date: Date | string;
  decimal: number | string;
}

/** The child elements of a `key` (element or complex type) holding `value`'s fields, prefix ipcd. */
export function encode(c: ContractModel, key: string, value: object): string {
  let out = '';
  for (const f of fieldsOf(c, key)) {
    const v = (value as Record<string, unknown>)[f.name];
    if (v === undefined || v === null) continue;
    for (const x of Array.isArray(v) ? v : [v]) {
      if (isComplex(c, f.type) && (typeof x !== 'object' || x === null))
        throw new TypeError(`${f.name} must be an object, got ${typeof x}`);
      out += `<ipcd:${f.name}>${isComplex(c, f.type) ? encode(c, f.type, x as object) : text(c, f, x)}</ipcd:${f.name}>`;
    }
  }
  return out;
}

function text(c: ContractModel, f: Field, x: unknown): string {
  const kind = kindOf(c, f.type);
  if (x instanceof Date) return kind === 'date' ? x.toISOString().slice(0, 10) : x.toISOString();
  if (typeof x === 'boolean') return x ? 'true' : 'false';
  if (typeof x === 'number') {
    if (kind !== 'decimal' && kind !== 'number' && !Number.isSafeInteger(x))
      throw new RangeError(`${f.name} must be an integer, got ${x}`);
    return String(x);
  }
  if (typeof x !== 'string') throw new TypeError(`${f.name} must be a string, got ${typeof x}`);
  return xmlText(x, f.name);
}

const compiled = new Map<string, RegExp>();
/**
 * The pattern facets along a type's bases as anchored regular expressions: an XSD pattern matches
 * the whole value; patterns of one restriction are alternatives, those of each base must all hold.
 */
function patternsOf(c: ContractModel, type: string): RegExp[] {
  const out: RegExp[] = [];
  for (let s = c.simpleTypes[type]; s; s = c.simpleTypes[s.base]) {
    if (!s.pattern) continue;
    const p = `^(?:${s.pattern.join('|')})$`;
    if (!compiled.has(p)) compiled.set(p, new RegExp(p));
    out.push(compiled.get(p)!);
  }
  return out;
}

/** Says what is wrong with an element of the reply (the caller makes it a protocol error). */
export type Complaint = (element: XmlNode, what: string) => Error;

/** The fields of `node`, an element of `key`, read in namespace `ns`. */
export function decode(
  c: ContractModel,
  key: string,
  node: XmlNode,
  ns: string,
  bad: Complaint,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(c, key)) {
    const found = childrenNamed(node, f.name, ns);
    const values = (isRepeated(f) ? found : found.slice(0, 1)).map((n) =>
      isComplex(c, f.type) ? decode(c, f.type, n, ns, bad) : value(c, f, n.text, (w) => bad(node, w)),
    );
    if (isRepeated(f)) out[f.name] = values;
    else if (values.length) out[f.name] = values[0];
    else if (f.min > 0) throw bad(node, `lacks ${f.name}`);
  }
  return out;
}

function value(c: ContractModel, f: Field, raw: string, bad: (what: string) => Error): unknown {
  const kind = kindOf(c, f.type);
  const v = raw.trim();
  const not = (what: string) => bad(`has ${f.name} '${v}', not ${what}`);
  const values = enumerationOf(c, f.type);
  if (values) {
    if (!values.includes(v)) throw not(`one of ${values.join(', ')}`);
    return v;
  }
  for (const p of patternsOf(c, f.type))
    if (!p.test(raw)) throw bad(`has ${f.name} '${raw}', not matching the pattern ${p.source}`);
  switch (kind) {
    case 'string':
      return raw;
    case 'date':
      return v;
    case 'boolean':
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      throw not('a boolean');
    case 'integer':
      if (!/^[+-]?\d{1,15}$/.test(v)) throw not('an integer');
      return Number(v);
    case 'dateTime': {
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw not('a date and time');
      return d;
    }
    default:
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v)) throw not('a decimal');
      return Number(v);
  }
}
