/** The network page: attributes, tags, address map, reservations, allocations, and the admin's actions. */
import { networkDetail, type NetworkDetail } from '../../logic/topology/address-map';
import { lastAddress, parseAddress, parseCidr } from '../../logic/core/ip';
import { searchAllocations } from '../../logic/reporting/search';
import type { ConsoleSession } from '../../logic/access/sessions';
import { legend, mapStrip, stateLabel } from '../address-map';
import { bar, checkbox, field, pager, query, tags } from '../components';
import { count, rangeText, when } from '../format';
import { html, type Html } from '../html';
import { BASE, csrfField } from '../layout';
import { actorOf, type UiRequest } from '../session';
import { canManage } from './dashboard';
import { param, render, route, type UiContext } from './common';

export const networkPath = (name: string, action?: string) =>
  `${BASE}/networks/${encodeURIComponent(name)}${action ? `/${action}` : ''}`;
const RANGES_PER_PAGE = 50;
const ALLOCATIONS_PER_PAGE = 50;

function attributes(d: NetworkDetail): Html {
  const n = d.view.network;
  const row = (k: string, v: Html | string | number | null) =>
    html`<div><dt>${k}</dt><dd>${v === null || v === '' ? html`<span class="muted">—</span>` : v}</dd></div>`;
  return html`<dl class="attrs">
  ${row('Prefix', html`<span class="mono">${n.cidr}</span>`)}
  ${row('Family', `IPv${n.family}`)}
  ${row('Data center', d.view.dataCenter)}
  ${row('VLAN', n.vlan)}
  ${row('VXLAN', n.vxlan)}
  ${row('Tenant', d.view.tenant)}
  ${row('DNS zone', d.view.zone)}
  ${row('Gateway', n.gateway === null ? 'none' : html`<span class="mono">${n.gateway}</span>`)}
  ${row('Priority', n.priority)}
  ${row('Reserve pool', n.reservePool ? 'yes' : 'no')}
  ${row('Name pattern', html`<span class="mono">${n.namePattern}</span>`)}
  ${row('Hold-down', n.holdDownSeconds ? `${count(n.holdDownSeconds)} s` : 'none')}
  ${row('Assignable', count(d.view.assignable))}
  ${row('Allocated', count(d.view.used))}
  ${row('Reserved', count(d.view.reserved))}
  ${row('Held (hold-down)', count(d.view.held))}
  ${row('Free', count(d.view.free))}
</dl>`;
}

function actions(d: NetworkDetail): Html {
  const name = d.view.network.name;
  const a = (action: string, label: string, cls = '') =>
    html`<a class="button${cls}" href="${networkPath(name, action)}">${label}</a>`;
  return html`<nav class="toolbar" aria-label="Network actions">
  ${a('edit', 'Edit')} ${a('tags', 'Tags')} ${a('reserve', 'Reserve addresses')} ${a('split', 'Split')} ${a('merge', 'Merge')} ${a('remove', 'Remove', ' danger')}
</nav>`;
}

function reservations(d: NetworkDetail, session: ConsoleSession, admin: boolean): Html {
  if (d.reservations.length === 0) return html`<p class="muted">No reserved addresses.</p>`;
  return html`<ul class="reservations">${d.reservations.map(
    (r) => html`<li>
  <span class="mono">${r.first === r.last ? r.first : `${r.first} – ${r.last}`}</span>
  ${r.note ? html`<span class="note">${r.note}</span>` : ''}
  <span class="muted small">since ${when(r.createdAt)}</span>
  ${
    admin
      ? html`<form method="post" action="${networkPath(d.view.network.name, 'unreserve')}">${csrfField(session)}<input type="hidden" name="id" value="${r.id}"><button type="submit" class="small">Unreserve…</button></form>`
      : ''
  }
</li>`,
  )}</ul>`;
}

/** Pages come in the logic's order (by allocation id); within a page, address order reads better. */
function sortByAddress<T extends { address: string | null }>(list: T[]): T[] {
  const key = (a: T) => (a.address === null ? null : parseAddress(a.address)!.value);
  return [...list].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x === null ? (y === null ? 0 : 1) : y === null ? -1 : x < y ? -1 : x > y ? 1 : 0;
  });
}

export function networkRoute(ctx: UiContext) {
  return route(ctx, async (req: UiRequest, res) => {
    const actor = actorOf(req);
    const name = String(req.params.name);
    const d = await networkDetail(ctx.store, name, actor);
    const n = d.view.network;
    const cidr = parseCidr(n.cidr);
    const total = lastAddress(cidr) - cidr.network + 1n;
    const gateway = n.gateway === null ? null : (parseAddress(n.gateway)?.value ?? null);
    const admin = canManage(actor.principal);

    const mapOffset = Math.max(0, Number.parseInt(param(req.query, 'ranges') ?? '0', 10) || 0);
    const shown = d.segments.slice(mapOffset, mapOffset + RANGES_PER_PAGE);
    const allocQ = {
      instance: param(req.query, 'instance'),
      address: param(req.query, 'address'),
      released: param(req.query, 'released'),
      after: param(req.query, 'after'),
    };
    const allocs = await searchAllocations(
      ctx.store,
      {
        network: n.name,
        serverInstance: allocQ.instance,
        address: allocQ.address,
        includeReleased: allocQ.released === 'on',
        pageSize: ALLOCATIONS_PER_PAGE,
        after: allocQ.after,
      },
      actor,
    );
    const here = networkPath(n.name);
    const keep = { instance: allocQ.instance, address: allocQ.address, released: allocQ.released };

    const body = html`<nav class="crumbs" aria-label="Breadcrumb"><a href="${BASE}/">Networks</a> › <a href="${BASE}/${query({ dc: d.view.dataCenter })}">${d.view.dataCenter}</a>${
      n.vlan === null
        ? ''
        : html` › <a href="${BASE}/${query({ dc: d.view.dataCenter, vlan: String(n.vlan) })}">VLAN ${n.vlan}</a>`
    } › <span aria-current="page">${n.name}</span></nav>
<div class="page-head">
  <h1>${n.name} <span class="mono muted">${n.cidr}</span></h1>
  ${admin ? actions(d) : ''}
</div>
<section aria-labelledby="use-title" class="panel">
  <h2 id="use-title" class="visually-hidden">Utilization</h2>
  ${bar(d.view, `${n.name} utilization`, { networkId: n.id, big: true })}
  <p class="live-status" id="live-status" role="status" aria-live="polite"><span class="dot" aria-hidden="true"></span> <span class="text">Live updates connecting…</span></p>
</section>
<div class="columns">
  <section aria-labelledby="attr-title" class="panel main-col">
    <h2 id="attr-title">Attributes</h2>
    ${attributes(d)}
    <h3>Tags</h3>
    ${Object.keys(n.tags).length ? tags(n) : html`<p class="muted">No tags.</p>`}
  </section>
  <section aria-labelledby="res-title" class="panel side-col">
    <h2 id="res-title">Reserved addresses</h2>
    ${reservations(d, req.session!, admin)}
  </section>
</div>
<section aria-labelledby="map-title" class="panel">
  <h2 id="map-title">Address map</h2>
  ${mapStrip(cidr, total, d.segments, gateway)}
  ${legend()}
  <table class="data ranges"><caption>Ranges ${count(mapOffset + 1)}–${count(mapOffset + shown.length)} of ${count(d.segments.length)}</caption>
    <thead><tr><th scope="col">Range</th><th scope="col">State</th><th scope="col" class="num">Addresses</th></tr></thead>
    <tbody>${shown.map(
      (s) =>
        html`<tr class="seg-row ${s.kind}"><td class="mono">${rangeText(cidr.family, s.first, s.last)}</td><td><span class="swatch ${s.kind}" aria-hidden="true"></span> ${stateLabel(cidr, gateway, s)}</td><td class="num">${count(s.last - s.first + 1n)}</td></tr>`,
    )}</tbody>
  </table>
  ${
    d.segments.length > RANGES_PER_PAGE
      ? html`<nav class="pager" aria-label="Range pages">${
          mapOffset > 0
            ? html`<a href="${here}${query({ ...keep, ranges: String(Math.max(0, mapOffset - RANGES_PER_PAGE)) })}#map-title">← Previous ranges</a>`
            : ''
        } ${
          mapOffset + RANGES_PER_PAGE < d.segments.length
            ? html`<a href="${here}${query({ ...keep, ranges: String(mapOffset + RANGES_PER_PAGE) })}#map-title">Next ranges →</a>`
            : ''
        }</nav>`
      : ''
  }
</section>
<section aria-labelledby="alloc-title" class="panel">
  <h2 id="alloc-title">Allocations</h2>
  <form class="filters" method="get" action="${here}#alloc-title" aria-label="Filter allocations">
    ${field('instance', 'Server instance', allocQ.instance)}
    ${field('address', 'Address', allocQ.address)}
    ${checkbox('released', 'Include released', allocQ.released === 'on')}
    <div class="actions"><button type="submit">Show</button></div>
  </form>
  ${
    allocs.allocations.length === 0
      ? html`<p class="empty">No allocations${allocQ.instance || allocQ.address ? ' match' : ''}.</p>`
      : html`<table class="data allocations"><thead><tr><th scope="col">Address</th><th scope="col">Name</th><th scope="col">Server instance</th><th scope="col">For</th><th scope="col">DNS</th><th scope="col">Since</th>${
          allocQ.released === 'on' ? html`<th scope="col">Released</th>` : ''
        }</tr></thead>
    <tbody>${sortByAddress(allocs.allocations).map(
      (a) =>
        html`<tr><td class="mono">${a.address ?? html`<span class="muted">—</span>`}</td><td class="mono">${a.fqdn ?? html`<span class="muted">—</span>`}</td><td>${a.serverInstance}</td><td>${a.intent}</td><td>${dnsCell(a.dns)}</td><td>${when(a.createdAt)}</td>${
          allocQ.released === 'on'
            ? html`<td>${a.releasedAt ? html`${when(a.releasedAt)} <span class="muted">${a.releaseReason ?? ''}</span>` : html`<span class="muted">active</span>`}</td>`
            : ''
        }</tr>`,
    )}</tbody></table>`
  }
  ${pager(here, { ...keep, after: allocQ.after }, allocs.nextPage, 'Allocation')}
</section>`;
    render(req, res, n.name, body, { live: true });
  });
}

/** The allocation's DNS publication: the state, with the reason as a tooltip and for screen readers. */
function dnsCell(d: { state: string; detail: string | null }) {
  const label = d.state === 'NOT_CONFIGURED' ? 'not configured' : d.state.toLowerCase();
  return d.detail
    ? html`<span title="${d.detail}">${label}<span class="visually-hidden">: ${d.detail}</span></span>`
    : html`${label}`;
}
