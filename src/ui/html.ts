/**
 * HTML by tagged templates with strict escaping: every interpolated value is escaped unless it
 * is itself the output of `html` (SafeHtml). There is no way to mark an arbitrary string safe.
 */
export class SafeHtml {
  private constructor(readonly text: string) {}
  /** Only this module creates SafeHtml; the template below is the sole entry. */
  static of(text: string): SafeHtml {
    return new SafeHtml(text);
  }
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export type Html = SafeHtml;
type Part = SafeHtml | string | number | bigint | boolean | null | undefined | Part[];

function render(v: Part): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(v);
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return SafeHtml.of(out);
}

/** Attribute present or absent (checked, selected, disabled). */
export const attr = (name: string, on: boolean): SafeHtml => SafeHtml.of(on ? ` ${name}` : '');

/** JSON for a data- attribute or a <script type="application/json">: escaped like any text. */
export const json = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
