/**
 * The shape of a generated contract (src/contract/generated/*.ts): what scripts/gen-contract.ts
 * reads from a WSDL's types, messages and portType, as plain data both sides walk at run time.
 */

/** A child element of a complex type, in the sequence's order. */
export interface Field {
  name: string;
  /** 'xsd:int' for a built-in type; else the key of a simple type or a complex type of this contract. */
  type: string;
  min: number;
  /** null: unbounded. */
  max: number | null;
  /** The schema default: an empty element means this value. */
  default?: string;
}

/** An xsd:simpleType restriction (facets as written). */
export interface SimpleType {
  /** 'xsd:…' or another simple type's key. */
  base: string;
  enumeration?: readonly string[];
  pattern?: readonly string[];
  minInclusive?: string;
  maxInclusive?: string;
  minExclusive?: string;
  maxExclusive?: string;
  length?: number;
  minLength?: number;
  maxLength?: number;
}

export interface Operation {
  /** The global elements of the request, the response and each fault, by name. */
  input: string;
  output: string;
  faults: readonly string[];
}

export interface ContractModel {
  ns: string;
  /** The portType's operations in the WSDL's order. */
  operations: Readonly<Record<string, Operation>>;
  /** Global element name → key of its complex type in `types`. */
  elements: Readonly<Record<string, string>>;
  /** Complex types (named, and anonymous ones under the key of their element) → their sequences. */
  types: Readonly<Record<string, readonly Field[]>>;
  simpleTypes: Readonly<Record<string, SimpleType>>;
}

/**
 * How the generated interfaces type the values whose representation differs by side: the server
 * writes text (Wire), the client reads them into richer values.
 */
export interface Scalars {
  dateTime: unknown;
  date: unknown;
  decimal: unknown;
}

/** The values as XML text, which is what the server writes. */
export interface Wire {
  dateTime: string;
  date: string;
  decimal: string;
}

/** The child elements of a complex type (by key) or of a global element (by element name). */
export function fieldsOf(c: ContractModel, key: string): readonly Field[] {
  const fields = c.types[key] ?? c.types[c.elements[key]];
  if (!fields) throw new Error(`the contract ${c.ns} has no element or type ${key}`);
  return fields;
}

export const fieldNames = (c: ContractModel, key: string): string[] => fieldsOf(c, key).map((f) => f.name);

/** How a built-in XML Schema type's values are read and written. */
export type ValueKind = 'string' | 'boolean' | 'integer' | 'number' | 'decimal' | 'dateTime' | 'date';

/** The built-in types a contract may use (anything else fails the generator). */
export const BUILTIN_KINDS: Readonly<Record<string, ValueKind>> = {
  string: 'string',
  normalizedString: 'string',
  token: 'string',
  anyURI: 'string',
  base64Binary: 'string',
  hexBinary: 'string',
  boolean: 'boolean',
  int: 'integer',
  integer: 'integer',
  long: 'integer',
  short: 'integer',
  byte: 'integer',
  nonNegativeInteger: 'integer',
  positiveInteger: 'integer',
  nonPositiveInteger: 'integer',
  negativeInteger: 'integer',
  unsignedLong: 'integer',
  unsignedInt: 'integer',
  unsignedShort: 'integer',
  unsignedByte: 'integer',
  float: 'number',
  double: 'number',
  decimal: 'decimal',
  dateTime: 'dateTime',
  date: 'date',
};

/** The built-in type a simple type derives from ('xsd:int'), or the complex type's key itself. */
export function builtinOf(c: ContractModel, type: string): string {
  for (let t = type, seen = 0; seen < 32; seen++) {
    if (t.startsWith('xsd:') || c.types[t]) return t;
    const s = c.simpleTypes[t];
    if (!s) throw new Error(`the contract ${c.ns} has no type ${t}`);
    t = s.base;
  }
  throw new Error(`the type ${type} derives from itself`);
}

/** How a simple-typed field's values are read and written. */
export const kindOf = (c: ContractModel, type: string): ValueKind => BUILTIN_KINDS[builtinOf(c, type).slice(4)];

/** The enumeration a type restricts its values to, if any (the nearest one along its bases). */
export function enumerationOf(c: ContractModel, type: string): readonly string[] | undefined {
  for (let s = c.simpleTypes[type]; s; s = c.simpleTypes[s.base]) if (s.enumeration) return s.enumeration;
  return undefined;
}

export const isComplex = (c: ContractModel, type: string) => c.types[type] !== undefined;
export const isRepeated = (f: Field) => f.max === null || f.max > 1;
