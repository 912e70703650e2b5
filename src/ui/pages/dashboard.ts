/** The dashboard: every network the user may see, by data center and VLAN, with live utilization bars. */
import { mayManage, type Principal } from '../../logic/access/policy';
import { searchNetworks, tenantTotals, type NetworkSearch, type NetworkView } from '../../logic/reporting/search';
import { listDataCenters, listTenants } from '../../logic/topology/topology';
import { count } from '../format';
import { html, type Html } from '../html';
import { BASE } from '../layout';
import { bar, field, query, select, tags } from '../components';
import { actorOf, type UiRequest } from '../session';
import { param, render, route, type UiContext } from './common';

/** The most networks one dashboard lists; filters narrow it down beyond that. */
export const DASHBOARD_LIMIT = 2000;

export function canManage(p: Principal): boolean {
  try {
    mayManage(p, 'manage');
    return true;
  } catch {
    return false;
  }
}

interface Filters {
  dc?: string;
  vlan?: string;
  tenant?: string;
  tag?: string;
}

function searchOf(f: Filters): NetworkSearch {
  const q: NetworkSearch = { dataCenter: f.dc, vlan: f.vlan, tenant: f.tenant };
  if (f.tag) {
    const i = f.tag.indexOf('=');
    if (i < 0) q.tagKey = f.tag;
    else {
      q.tagKey = f.tag.slice(0, i).trim();
      q.tagValue = f.tag.slice(i + 1).trim();
    }
  }
  return q;
}

function groups(views: NetworkView[]): Map<string, Map<string, NetworkView[]>> {
  const byDc = new Map<string, Map<string, NetworkView[]>>();
  const sorted = [...views].sort(
    (a, b) =>
      a.dataCenter.localeCompare(b.dataCenter) ||
      (a.network.vlan ?? 99999) - (b.network.vlan ?? 99999) ||
      a.network.priority - b.network.priority ||
      a.network.name.localeCompare(b.network.name),
  );
  for (const v of sorted) {
    const vlans = byDc.get(v.dataCenter) ?? new Map<string, NetworkView[]>();
    const key = v.network.vlan === null ? 'No VLAN' : `VLAN ${v.network.vlan}`;
    vlans.set(key, [...(vlans.get(key) ?? []), v]);
    byDc.set(v.dataCenter, vlans);
  }
  return byDc;
}

function networkRow(v: NetworkView): Html {
  const n = v.network;
  return html`<tr>
  <th scope="row"><a href="${BASE}/networks/${encodeURIComponent(n.name)}">${n.name}</a>${n.reservePool ? html` <span class="badge">reserve pool</span>` : ''}</th>
  <td class="mono">${n.cidr}</td>
  <td>${v.tenant ?? html`<span class="muted">—</span>`}</td>
  <td>${tags(n)}</td>
  <td class="bar-cell">${bar(v, `${n.name} utilization`, { networkId: n.id, family: n.family })}</td>
</tr>`;
}

async function networks(
  ctx: UiContext,
  actor: ReturnType<typeof actorOf>,
  q: NetworkSearch,
): Promise<{ views: NetworkView[]; more: boolean }> {
  const views: NetworkView[] = [];
  for (let after: string | undefined; ;) {
    const page = await searchNetworks(ctx.store, { ...q, pageSize: 1000, after }, actor);
    views.push(...page.networks);
    if (!page.nextPage) return { views, more: false };
    if (views.length >= DASHBOARD_LIMIT) return { views, more: true };
    after = page.nextPage;
  }
}

export function dashboardRoute(ctx: UiContext) {
  return route(ctx, async (req: UiRequest, res) => {
    const actor = actorOf(req);
    const f: Filters = {
      dc: param(req.query, 'dc'),
      vlan: param(req.query, 'vlan'),
      tenant: param(req.query, 'tenant'),
      tag: param(req.query, 'tag'),
    };
    const filtered = Object.values(f).some((v) => v !== undefined);
    const [dcs, tenantList] = await Promise.all([listDataCenters(ctx.store, actor), listTenants(ctx.store, actor)]);
    const { views, more } = await networks(ctx, actor, searchOf(f));
    // Tenant totals are over everything the user may see, like the live feed's, whatever the filters.
    const everything = filtered ? (await networks(ctx, actor, {})).views : views;
    const totals = tenantTotals(everything.filter((v) => v.network.family === 4));
    const v4 = views.filter((v) => v.network.family === 4);
    const used = v4.reduce((t, v) => t + v.used, 0n);
    const assignable = v4.reduce((t, v) => t + v.assignable, 0n);
    const used6 = views.filter((v) => v.network.family === 6).reduce((t, v) => t + v.used, 0n);
    const overall = assignable === 0n ? 0 : Number((used * 10000n) / assignable) / 100;
    const admin = canManage(actor.principal);

    const body = html`<div class="page-head">
  <h1>Networks</h1>
  ${admin ? html`<a class="button" href="${BASE}/new-network">Add network</a>` : ''}
</div>
<section class="summary" aria-label="Totals">
  <div class="card"><span class="label">Networks</span><span class="value" id="total-networks">${count(views.length)}</span></div>
  <div class="card"><span class="label">IPv4 in use</span><span class="value" id="total-used">${count(used)}</span></div>
  <div class="card"><span class="label">IPv6 in use</span><span class="value" id="total-used6">${count(used6)}</span></div>
  <div class="card wide"><span class="label">IPv4 overall</span>${bar({ used, assignable, percent: overall }, 'IPv4 utilization of the networks shown')}</div>
</section>
<p class="live-status" id="live-status" role="status" aria-live="polite"><span class="dot" aria-hidden="true"></span> <span class="text">Live updates connecting…</span></p>
<p class="notice" id="topology-changed" role="status" hidden>Networks were added or removed since this page loaded. <a href="">Reload</a> to see them.</p>

<form class="filters" method="get" action="${BASE}/" aria-label="Filter networks">
  ${select('dc', 'Data center', [{ value: '', label: 'All' }, ...dcs.map((d) => ({ value: d.name, label: d.name }))], f.dc)}
  ${field('vlan', 'VLAN', f.vlan, { inputmode: 'numeric', placeholder: 'any' })}
  ${select('tenant', 'Tenant', [{ value: '', label: 'All' }, ...tenantList.map((t) => ({ value: t.name, label: t.name }))], f.tenant)}
  ${field('tag', 'Tag', f.tag, { placeholder: 'key or key=value' })}
  <div class="actions"><button type="submit">Filter</button>${filtered ? html` <a href="${BASE}/">Clear</a>` : ''}</div>
</form>

<div class="columns">
<div class="main-col">
${views.length === 0 ? html`<p class="empty">${filtered ? 'No network matches these filters.' : 'No networks to show.'}</p>` : ''}
${[...groups(views)].map(
  ([dc, vlans]) => html`<section class="dc" aria-labelledby="dc-${dc}">
  <h2 id="dc-${dc}">Data center ${dc}</h2>
  ${[...vlans].map(
    ([vlan, list]) => html`<table class="networks">
    <caption>${vlan} <span class="muted">· ${list.length} network${list.length === 1 ? '' : 's'}</span></caption>
    <thead><tr><th scope="col">Network</th><th scope="col">Prefix</th><th scope="col">Tenant</th><th scope="col">Tags</th><th scope="col">Utilization</th></tr></thead>
    <tbody>${list.map(networkRow)}</tbody>
  </table>`,
  )}
</section>`,
)}
${more ? html`<p class="notice">Only the first ${count(DASHBOARD_LIMIT)} networks are shown: use the filters.</p>` : ''}
</div>
<aside class="side-col" aria-labelledby="tenants-title">
  <h2 id="tenants-title">Tenants</h2>
  ${
    totals.length === 0
      ? html`<p class="muted">No tenant networks.</p>`
      : html`<table class="tenants"><thead><tr><th scope="col">Tenant</th><th scope="col">Utilization</th></tr></thead><tbody>${totals.map(
          (t) =>
            html`<tr><th scope="row"><a href="${BASE}/${query({ tenant: t.tenant })}">${t.tenant}</a><br><span class="muted small">${t.networks} network${
              t.networks === 1 ? '' : 's'
            }</span></th><td>${bar(t, `${t.tenant} total utilization`, { tenant: t.tenant })}</td></tr>`,
        )}</tbody></table>`
  }
  <p class="muted small">IPv4 addresses in use over all tenant networks you may see (IPv6 networks are too large for a percentage to mean much).</p>
</aside>
</div>`;
    render(req, res, 'Networks', body, { live: true });
  });
}
