/**
 * A handler's answer as the contract's response element: its fields in the schema's order (node-soap
 * and envelope.ts write keys in object order), optional ones that are null or undefined left out.
 * An element the contract does not name, or a required one missing, is a bug of the handler: it
 * fails the request (INTERNAL) rather than sending what the schema refuses.
 */
import { fieldsOf, isComplex, type ContractModel } from '../contract';

/** What a handler may return for the contract type T: optional elements may also be null. */
export type Reply<T> = T extends readonly (infer U)[]
  ? Reply<U>[]
  : T extends object
    ? { [K in keyof T]: undefined extends T[K] ? Reply<T[K]> | null : Reply<T[K]> }
    : T;

export function inOrder(c: ContractModel, key: string, value: object): Record<string, unknown> {
  const given = value as Record<string, unknown>;
  const fields = fieldsOf(c, key);
  for (const k of Object.keys(given))
    if (!fields.some((f) => f.name === k)) throw new Error(`the response's ${key} has no element ${k} in ${c.ns}`);
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const x = given[f.name];
    if (x === undefined || x === null) {
      if (f.min > 0) throw new Error(`the response's ${key} lacks its required element ${f.name}`);
      continue;
    }
    if (!isComplex(c, f.type)) out[f.name] = x;
    else out[f.name] = Array.isArray(x) ? x.map((o: object) => inOrder(c, f.type, o)) : inOrder(c, f.type, x as object);
  }
  return out;
}
