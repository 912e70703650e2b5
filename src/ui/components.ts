/** Pieces several console pages share: utilization bars, tag chips, form fields, paging links. */
import type { Network } from '../logic/core/model';
import { count, percent } from './format';
import { attr, html, type Html } from './html';

export interface Usage {
  used: bigint;
  assignable: bigint;
  reserved?: bigint;
  percent: number;
}

export const level = (p: number): string => (p >= 95 ? 'crit' : p >= 80 ? 'warn' : 'ok');

/**
 * A utilization bar as an accessible meter. Widths are SVG attributes (no inline styles, so the
 * Content-Security-Policy can forbid them); the live script moves them.
 */
export function bar(
  u: Usage,
  label: string,
  opts: { networkId?: number; family?: number; tenant?: string; big?: boolean } = {},
): Html {
  const reservedPct = u.reserved && u.assignable > 0n ? Number((u.reserved * 10000n) / u.assignable) / 100 : 0;
  const text = `${count(u.used)} of ${count(u.assignable)} used (${percent(u.percent)})`;
  return html`<div class="usage${opts.big ? ' big' : ''}"${opts.networkId !== undefined ? html` data-network-id="${opts.networkId}"` : ''}${opts.family !== undefined ? html` data-family="${opts.family}"` : ''}${
    opts.tenant !== undefined ? html` data-tenant="${opts.tenant}"` : ''
  }>
  <div class="bar ${level(u.percent)}" role="meter" aria-label="${label}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${u.percent}" aria-valuetext="${text}">
    <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <rect class="bar-used" x="0" y="0" height="10" width="${Math.min(100, u.percent)}"></rect>
      <rect class="bar-reserved" x="${Math.min(100, u.percent)}" y="0" height="10" width="${Math.min(100 - Math.min(100, u.percent), reservedPct)}"></rect>
    </svg>
  </div>
  <span class="usage-text"><span class="used">${count(u.used)}</span> / <span class="assignable">${count(u.assignable)}</span> · <span class="pct">${percent(u.percent)}</span></span>
</div>`;
}

export function tags(n: Pick<Network, 'tags'>): Html {
  const entries = Object.entries(n.tags);
  if (entries.length === 0) return html``;
  return html`<ul class="tags" aria-label="tags">${entries.map(([k, v]) => html`<li class="tag"><span class="k">${k}</span>${v ? html`<span class="v">${v}</span>` : ''}</li>`)}</ul>`;
}

export interface FieldOpts {
  type?: string;
  required?: boolean;
  help?: string;
  placeholder?: string;
  pattern?: string;
  autofocus?: boolean;
  inputmode?: string;
}

export function field(name: string, label: string, value: string | number | null | undefined, o: FieldOpts = {}): Html {
  const id = `f-${name}`;
  return html`<div class="field">
  <label for="${id}">${label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ''}</label>
  <input id="${id}" name="${name}" type="${o.type ?? 'text'}" value="${value ?? ''}"${attr('required', !!o.required)}${attr('autofocus', !!o.autofocus)}${
    o.placeholder ? html` placeholder="${o.placeholder}"` : ''
  }${o.pattern ? html` pattern="${o.pattern}"` : ''}${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.help ? html` aria-describedby="${id}-help"` : ''}>
  ${o.help ? html`<p class="help" id="${id}-help">${o.help}</p>` : ''}
</div>`;
}

export function select(
  name: string,
  label: string,
  options: { value: string; label: string }[],
  selected: string | null | undefined,
  help?: string,
): Html {
  const id = `f-${name}`;
  return html`<div class="field">
  <label for="${id}">${label}</label>
  <select id="${id}" name="${name}"${help ? html` aria-describedby="${id}-help"` : ''}>${options.map(
    (o) => html`<option value="${o.value}"${attr('selected', o.value === (selected ?? ''))}>${o.label}</option>`,
  )}</select>
  ${help ? html`<p class="help" id="${id}-help">${help}</p>` : ''}
</div>`;
}

export function checkbox(name: string, label: string, checked: boolean, help?: string): Html {
  const id = `f-${name}`;
  return html`<div class="field check">
  <input id="${id}" name="${name}" type="checkbox" value="on"${attr('checked', checked)}${help ? html` aria-describedby="${id}-help"` : ''}>
  <label for="${id}">${label}</label>
  ${help ? html`<p class="help" id="${id}-help">${help}</p>` : ''}
</div>`;
}

/** A query string from the given parameters (empty ones left out). */
export function query(params: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function pager(
  path: string,
  params: Record<string, string | undefined>,
  nextPage: string | null,
  label: string,
): Html {
  const first = params.after !== undefined;
  if (!nextPage && !first) return html``;
  return html`<nav class="pager" aria-label="${label} pages">
  ${first ? html`<a href="${path}${query({ ...params, after: undefined })}">First page</a>` : ''}
  ${nextPage ? html`<a rel="next" href="${path}${query({ ...params, after: nextPage })}">Next page →</a>` : ''}
</nav>`;
}
