/** The audit log with filters, newest rows last as the log pages them; tenants see their own rows only. */
import { queryAudit } from '../../logic/audit/audit-query';
import { field, pager } from '../components';
import { when } from '../format';
import { html } from '../html';
import { BASE } from '../layout';
import { actorOf, type UiRequest } from '../session';
import { param, render, route, type UiContext } from './common';

const FILTERS = ['user', 'operation', 'objectType', 'objectId', 'serverInstance', 'since', 'until'] as const;

export function auditRoute(ctx: UiContext) {
  return route(ctx, async (req: UiRequest, res) => {
    const f = Object.fromEntries(FILTERS.map((k) => [k, param(req.query, k)])) as Record<
      (typeof FILTERS)[number],
      string | undefined
    >;
    const after = param(req.query, 'after');
    const { entries, nextPage } = await queryAudit(
      ctx.store,
      { ...f, pageSize: 50, after, newestFirst: true },
      actorOf(req),
    );
    const outcome = (o: string) =>
      o === 'ok' ? html`<span class="ok">ok</span>` : html`<span class="bad">${o}</span>`;
    const detail = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v, null, 2));
    const body = html`<h1>Audit log</h1>
<p class="muted">Every commission, release and management change: who, what, before and after, and the outcome. Times are UTC.</p>
<form class="filters" method="get" action="${BASE}/audit" aria-label="Filter the audit log">
  ${field('user', 'User', f.user)}
  ${field('operation', 'Operation', f.operation, { placeholder: 'e.g. SplitNetwork' })}
  ${field('objectType', 'Object type', f.objectType, { placeholder: 'network, allocation…' })}
  ${field('objectId', 'Object id', f.objectId)}
  ${field('serverInstance', 'Server instance', f.serverInstance)}
  ${field('since', 'Since', f.since, { placeholder: '2026-11-01' })}
  ${field('until', 'Until', f.until, { placeholder: '2026-12-01' })}
  <div class="actions"><button type="submit">Filter</button> <a href="${BASE}/audit">Clear</a></div>
</form>
${
  entries.length === 0
    ? html`<p class="empty">No audit entries match.</p>`
    : html`<table class="data audit"><thead><tr><th scope="col">Time</th><th scope="col">User</th><th scope="col">Operation</th><th scope="col">Object</th><th scope="col">Outcome</th><th scope="col">Details</th></tr></thead>
<tbody>${entries.map(
        (e) => html`<tr>
  <td class="nowrap">${when(e.at)}</td>
  <td>${e.actor} <span class="muted small">${e.role}</span></td>
  <td>${e.operation}</td>
  <td>${e.objectType}${e.objectId ? html` <span class="mono">${e.objectId}</span>` : ''}${e.serverInstance ? html`<br><span class="muted small">instance ${e.serverInstance}</span>` : ''}</td>
  <td>${outcome(e.outcome)}</td>
  <td>${
    e.before || e.after
      ? html`<details><summary>Before / after</summary>${e.before ? html`<h4>Before</h4><pre>${detail(e.before)}</pre>` : ''}${e.after ? html`<h4>After</h4><pre>${detail(e.after)}</pre>` : ''}</details>`
      : ''
  }</td>
</tr>`,
      )}</tbody></table>`
}
${pager(`${BASE}/audit`, { ...f, after }, nextPage, 'Audit')}`;
    render(req, res, 'Audit log', body);
  });
}
