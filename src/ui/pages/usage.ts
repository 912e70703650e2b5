/** Per-tenant usage (allocations and address-hours per UTC day) with CSV export, from the metering logic. */
import { tenantUsage, usageCsv } from '../../logic/reporting/metering';
import { listTenants } from '../../logic/topology/topology';
import { field, query, select } from '../components';
import { html } from '../html';
import { BASE } from '../layout';
import { actorOf, type UiRequest } from '../session';
import { param, render, route, type UiContext } from './common';

const day = (d: Date) => d.toISOString().slice(0, 10);

function period(req: UiRequest): { tenant?: string; from: string; to: string } {
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  return {
    tenant: param(req.query, 'tenant'),
    from: param(req.query, 'from') ?? day(monthStart),
    to: param(req.query, 'to') ?? day(tomorrow),
  };
}

export function usageRoutes(ctx: UiContext) {
  const page = route(ctx, async (req: UiRequest, res) => {
    const actor = actorOf(req);
    const q = period(req);
    const [rows, tenants] = await Promise.all([tenantUsage(ctx.store, q, actor), listTenants(ctx.store, actor)]);
    const sum = rows.reduce((t, r) => t + r.addressHours, 0);
    const body = html`<h1>Usage</h1>
<p class="muted">Per tenant and UTC day: allocations active at any time that day, and address-hours held (for chargeback). “To” is exclusive.</p>
<form class="filters" method="get" action="${BASE}/usage" aria-label="Usage period">
  ${select('tenant', 'Tenant', [{ value: '', label: 'All' }, ...tenants.map((t) => ({ value: t.name, label: t.name }))], q.tenant)}
  ${field('from', 'From', q.from, { type: 'date', required: true })}
  ${field('to', 'To', q.to, { type: 'date', required: true })}
  <div class="actions"><button type="submit">Show</button> <a class="button" href="${BASE}/usage.csv${query(q)}" download>Download CSV</a></div>
</form>
${
  rows.length === 0
    ? html`<p class="empty">No usage in this period.</p>`
    : html`<table class="data usage-table"><thead><tr><th scope="col">Tenant</th><th scope="col">Day</th><th scope="col" class="num">Allocations</th><th scope="col" class="num">Address-hours</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.tenant}</td><td class="nowrap">${r.day}</td><td class="num">${r.allocations}</td><td class="num">${r.addressHours.toFixed(1)}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row" colspan="3">Total address-hours</th><td class="num">${sum.toFixed(1)}</td></tr></tfoot></table>`
}`;
    render(req, res, 'Usage', body);
  });

  const csv = route(ctx, async (req: UiRequest, res) => {
    const q = period(req);
    const rows = await tenantUsage(ctx.store, q, actorOf(req));
    const file = `ipcd-usage-${q.tenant ?? 'all'}-${q.from}-${q.to}.csv`.replace(/[^\w.-]/g, '_');
    res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${file}"`);
    res.send(usageCsv(rows));
  });
  return { page, csv };
}
