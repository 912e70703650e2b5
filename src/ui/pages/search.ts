/** Search across networks: by address (networks containing it, who holds it), by name or by server instance. */
import { IpcdError } from '../../logic/core/errors';
import { parseAddress } from '../../logic/core/ip';
import { searchAllocations, searchNetworks, type AllocationView, type NetworkView } from '../../logic/reporting/search';
import { bar } from '../components';
import { when } from '../format';
import { html } from '../html';
import { BASE } from '../layout';
import { actorOf, type UiRequest } from '../session';
import { networkPath } from './network';
import { param, render, route, type UiContext } from './common';

export function searchRoute(ctx: UiContext) {
  return route(ctx, async (req: UiRequest, res) => {
    const actor = actorOf(req);
    const q = param(req.query, 'q');
    let networks: NetworkView[] = [];
    const allocations: AllocationView[] = [];
    const seen = new Set<string>();
    const add = (list: AllocationView[]) =>
      list.forEach((a) => !seen.has(a.allocationId) && (seen.add(a.allocationId), allocations.push(a)));
    if (q) {
      if (parseAddress(q)) {
        networks = (await searchNetworks(ctx.store, { address: q, pageSize: 100 }, actor)).networks;
        add((await searchAllocations(ctx.store, { address: q, pageSize: 100 }, actor)).allocations);
      } else {
        networks = (await searchNetworks(ctx.store, { name: q, pageSize: 100 }, actor)).networks;
        add((await searchAllocations(ctx.store, { serverInstance: q, pageSize: 100 }, actor)).allocations);
        try {
          add((await searchAllocations(ctx.store, { name: q, pageSize: 100 }, actor)).allocations);
        } catch (e) {
          if (!(e instanceof IpcdError) || e.code !== 'INVALID_REQUEST') throw e; // not a host name: nothing to find by name
        }
      }
    }
    const body = html`<h1>Search</h1>
<form class="filters" method="get" action="${BASE}/search" role="search">
  <div class="field grow"><label for="search-q">Address, host name, FQDN or server instance</label><input id="search-q" name="q" type="search" value="${q ?? ''}" autofocus></div>
  <div class="actions"><button type="submit" class="primary">Search</button></div>
</form>
${
  q
    ? html`<section aria-labelledby="sn"><h2 id="sn">Networks</h2>${
        networks.length === 0
          ? html`<p class="empty">No network ${parseAddress(q) ? 'contains this address' : 'has this in its name'}.</p>`
          : html`<table class="data"><thead><tr><th scope="col">Network</th><th scope="col">Prefix</th><th scope="col">Data center</th><th scope="col">VLAN</th><th scope="col">Utilization</th></tr></thead><tbody>${networks.map(
              (v) =>
                html`<tr><th scope="row"><a href="${networkPath(v.network.name)}">${v.network.name}</a></th><td class="mono">${v.network.cidr}</td><td>${v.dataCenter}</td><td>${v.network.vlan ?? '—'}</td><td>${bar(v, `${v.network.name} utilization`, { networkId: v.network.id })}</td></tr>`,
            )}</tbody></table>`
      }</section>
<section aria-labelledby="sa"><h2 id="sa">Active allocations</h2>${
        allocations.length === 0
          ? html`<p class="empty">No active allocation matches.</p>`
          : html`<table class="data"><thead><tr><th scope="col">Address</th><th scope="col">Name</th><th scope="col">Server instance</th><th scope="col">Network</th><th scope="col">Data center / VLAN</th><th scope="col">Since</th></tr></thead><tbody>${allocations.map(
              (a) =>
                html`<tr><td class="mono">${a.address ?? '—'}</td><td class="mono">${a.fqdn ?? '—'}</td><td>${a.serverInstance}</td><td>${a.network ? html`<a href="${networkPath(a.network)}">${a.network}</a>` : '—'}</td><td>${a.dataCenter} / ${a.vlan}</td><td>${when(a.createdAt)}</td></tr>`,
            )}</tbody></table>`
      }</section>`
    : html`<p class="muted">Find which network holds an address and who has it, a host by name or FQDN, or everything a server instance holds.</p>`
}`;
    render(req, res, q ? `Search: ${q}` : 'Search', body);
  });
}
