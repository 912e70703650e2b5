/**
 * Containers in the console (administrators): each container's address map — the networks inside
 * it, carved or added by hand, and the free space between — with its utilization; and the actions
 * Add container, Allocate network and Remove container, in the three steps of every console action.
 */
import { randomUUID } from 'node:crypto';
import { IpcdError } from '../../logic/core/errors';
import { lastAddress, parseCidr } from '../../logic/core/ip';
import { lowestFreeChild } from '../../logic/topology/carve';
import {
  addContainer,
  allocateNetwork,
  listContainers,
  removeContainer,
  type ContainerView,
} from '../../logic/topology/containers';
import { listDataCenters, listTenants, listZones } from '../../logic/topology/topology';
import { integer } from '../../logic/core/validate';
import { bar, field, select } from '../components';
import { count } from '../format';
import { html, type Html } from '../html';
import { BASE } from '../layout';
import { actorOf, type UiRequest } from '../session';
import { one, opt, type ActionSpec, type Values } from './action-steps';
import { parseTags } from './actions';
import { render, route, type UiContext } from './common';
import { networkPath } from './network';

export const containersPath = (name?: string, action?: string) =>
  `${BASE}/containers${name ? `/${encodeURIComponent(name)}` : ''}${action ? `/${action}` : ''}`;

const WIDTH = 1000;
const ratio = (a: bigint, b: bigint) => Number((a * 1_000_000n) / b) / 1_000_000;

/** The container's prefix as a strip: each network inside it to scale (at least a sliver), the rest free. */
function strip(c: ContainerView): Html {
  const prefix = parseCidr(c.cidr);
  const end = lastAddress(prefix);
  const label = `Address map of container ${c.cidr}: ${c.networks.length} network(s), ${c.percent.toFixed(2)}% used. The table below lists them.`;
  return html`<svg class="map" viewBox="0 0 ${WIDTH} 40" preserveAspectRatio="none" role="img" aria-label="${label}">${c.networks.map(
    ({ network: n, carved }) => {
      const p = parseCidr(n.cidr);
      const first = p.network > prefix.network ? p.network : prefix.network;
      const last = lastAddress(p) < end ? lastAddress(p) : end;
      const x = ratio(first - prefix.network, c.size) * WIDTH;
      const w = Math.max(ratio(last - first + 1n, c.size) * WIDTH, 1.5);
      return html`<rect class="seg ${carved ? 'carved' : 'hand'}" x="${x.toFixed(3)}" y="0" width="${w.toFixed(3)}" height="40"><title>${n.name} ${n.cidr}${n.vlan === null ? '' : ` (VLAN ${n.vlan})`}: ${carved ? 'carved' : 'added by hand'}</title></rect>`;
    },
  )}</svg>`;
}

function section(c: ContainerView): Html {
  return html`<section class="panel container" aria-labelledby="c-${c.name}">
  <div class="page-head"><h2 id="c-${c.name}">${c.name} <span class="mono">${c.cidr}</span></h2>
  <nav class="toolbar" aria-label="Actions on container ${c.name}"><a class="button" href="${containersPath(c.name, 'allocate')}">Allocate network</a> <a class="button danger" href="${containersPath(c.name, 'remove')}">Remove</a></nav></div>
  <p>Data center ${c.dataCenter}${c.tenant ? html`, tenant ${c.tenant}` : ''}${c.description ? html` — ${c.description}` : ''}</p>
  ${bar({ used: c.used, assignable: c.size, percent: c.percent }, `Utilization of container ${c.name}`, { big: true })}
  ${strip(c)}
  <ul class="legend" aria-label="Legend"><li><span class="swatch carved" aria-hidden="true"></span>carved</li><li><span class="swatch hand" aria-hidden="true"></span>added by hand</li><li><span class="swatch free" aria-hidden="true"></span>free</li></ul>
  ${
    c.networks.length === 0
      ? html`<p>No network inside it yet.</p>`
      : html`<table class="data"><thead><tr><th scope="col">Network</th><th scope="col">Prefix</th><th scope="col">VLAN</th><th scope="col">Carved</th><th scope="col" class="num">Addresses</th></tr></thead>
<tbody>${c.networks.map(({ network: n, carved }) => {
          const p = parseCidr(n.cidr);
          return html`<tr><td><a href="${networkPath(n.name)}">${n.name}</a></td><td class="mono">${n.cidr}</td><td>${n.vlan ?? '—'}</td><td>${carved ? 'yes' : 'by hand'}</td><td class="num">${count(lastAddress(p) - p.network + 1n)}</td></tr>`;
        })}</tbody></table>`
  }
</section>`;
}

export function containersRoute(ctx: UiContext) {
  return route(ctx, async (req, res) => {
    const views = await listContainers(ctx.store, {}, actorOf(req));
    render(
      req,
      res,
      'Containers',
      html`<nav class="crumbs" aria-label="Breadcrumb"><a href="${BASE}/">Networks</a> › <span aria-current="page">Containers</span></nav>
<div class="page-head"><h1>Containers</h1><a class="button" href="${BASE}/new-container">Add container</a></div>
<p>Prefixes networks are carved from. Every network of the data center inside a container uses its space, whatever its VLAN.</p>
${views.length === 0 ? html`<p>No containers yet.</p>` : views.map(section)}`,
    );
  });
}

async function containerNamed(ctx: UiContext, req: UiRequest): Promise<ContainerView> {
  const name = String(req.params.name);
  const c = (await listContainers(ctx.store, {}, actorOf(req))).find((x) => x.name === name);
  if (!c) throw new IpcdError('NOT_FOUND', `container '${name}' is not known to ipcd`);
  return c;
}

export const ADD_CONTAINER: ActionSpec = {
  title: () => 'Add a container',
  submit: 'Review',
  async form(ctx, req, _d, v) {
    const actor = actorOf(req);
    const [dcs, tenants] = await Promise.all([listDataCenters(ctx.store, actor), listTenants(ctx.store, actor)]);
    return html`${field('name', 'Name', one(v, 'name'), { required: true, autofocus: true })}
${field('cidr', 'Prefix', one(v, 'cidr'), { required: true, placeholder: '10.64.0.0/16 or 2001:db8:64::/48' })}
${select(
  'dataCenter',
  'Data center',
  dcs.map((d) => ({ value: d.name, label: d.name })),
  one(v, 'dataCenter'),
)}
${select('tenant', 'Tenant', [{ value: '', label: '(none)' }, ...tenants.map((t) => ({ value: t.name, label: t.name }))], one(v, 'tenant'), 'Networks carved from it belong to this tenant.')}
${field('description', 'Description', one(v, 'description'))}`;
  },
  async confirm(_ctx, _req, _d, v) {
    return html`<p>Add container <strong>${one(v, 'name')}</strong> <span class="mono">${one(v, 'cidr')}</span> in data center ${one(v, 'dataCenter')}${
      one(v, 'tenant') ? html` for tenant ${one(v, 'tenant')}` : ''
    }. Networks can then be carved from it.</p>`;
  },
  async run(ctx, req, _d, v) {
    const c = await addContainer(
      ctx.store,
      {
        name: one(v, 'name'),
        cidr: one(v, 'cidr'),
        dataCenter: one(v, 'dataCenter'),
        tenant: opt(one(v, 'tenant')),
        description: opt(one(v, 'description')),
      },
      actorOf(req),
    );
    return { redirect: containersPath(), flash: `Added container ${c.name} (${c.cidr}).` };
  },
};

/** The key is made with the form, so a confirmation posted twice carves once. */
const keyed = (v: Values) => (one(v, 'idempotencyKey') ? v : { ...v, idempotencyKey: randomUUID() });

export const ALLOCATE_NETWORK: ActionSpec = {
  title: () => 'Allocate a network',
  submit: 'Review',
  async form(ctx, req, _d, v) {
    const c = await containerNamed(ctx, req);
    const actor = actorOf(req);
    const [tenants, zones] = await Promise.all([listTenants(ctx.store, actor), listZones(ctx.store)]);
    return html`<p>From container <strong>${c.name}</strong> <span class="mono">${c.cidr}</span> (${c.percent.toFixed(2)}% used): the lowest free prefix of the length asked for.</p>
<input type="hidden" name="idempotencyKey" value="${one(keyed(v), 'idempotencyKey')}">
${field('name', 'Name', one(v, 'name'), { required: true, autofocus: true })}
${field('prefixLength', 'Prefix length', one(v, 'prefixLength'), { required: true, inputmode: 'numeric', placeholder: c.family === 4 ? '24' : '64' })}
${field('vlan', 'VLAN', one(v, 'vlan'), { inputmode: 'numeric' })}
${field('vxlan', 'VXLAN', one(v, 'vxlan'), { inputmode: 'numeric' })}
${select('tenant', 'Tenant', [{ value: '', label: c.tenant ? `(the container's: ${c.tenant})` : '(none)' }, ...tenants.map((t) => ({ value: t.name, label: t.name }))], one(v, 'tenant'))}
${select('zone', 'DNS zone', [{ value: '', label: '(none)' }, ...zones.map((z) => ({ value: z.name, label: z.name }))], one(v, 'zone'))}
<div class="field"><label for="f-tags">Tags</label><textarea id="f-tags" name="tags" rows="3" aria-describedby="f-tags-help">${one(v, 'tags')}</textarea><p class="help" id="f-tags-help">One key=value a line.</p></div>`;
  },
  async confirm(ctx, req, _d, v) {
    const c = await containerNamed(ctx, req);
    let next: string;
    try {
      const child = lowestFreeChild(
        parseCidr(c.cidr),
        c.networks.map((n) => parseCidr(n.network.cidr)),
        integer(one(v, 'prefixLength'), 'prefixLength'),
      );
      next = child ? `right now that is ${child.text}` : 'there is none left, so this will be refused (NO_FREE_PREFIX)';
    } catch (e) {
      if (!(e instanceof IpcdError)) throw e;
      next = `this will be refused: ${e.message}`;
    }
    return html`<p>Carve the lowest free /${one(v, 'prefixLength')} of container <strong>${c.name}</strong> <span class="mono">${c.cidr}</span> — ${next} — and add it as network <strong>${one(v, 'name')}</strong>${
      one(v, 'vlan') ? html` on VLAN ${one(v, 'vlan')}` : ' without a VLAN'
    }, gateway the first host.</p>`;
  },
  async run(ctx, req, _d, v) {
    const r = await allocateNetwork(
      ctx.store,
      {
        container: String(req.params.name),
        prefixLength: one(v, 'prefixLength'),
        name: one(v, 'name'),
        vlan: opt(one(v, 'vlan')),
        vxlan: opt(one(v, 'vxlan')),
        tenant: opt(one(v, 'tenant')),
        zone: opt(one(v, 'zone')),
        tags: parseTags(one(v, 'tags')),
        idempotencyKey: one(v, 'idempotencyKey'),
      },
      actorOf(req),
    );
    return {
      redirect: networkPath(r.network.name),
      flash: `${r.existing ? 'Already allocated' : 'Allocated'} ${r.network.name} (${r.network.cidr}) from container ${r.container.name}.`,
    };
  },
};

/** Removal is RemoveContainer's: refused (CONFLICT, the same sentence) while any network lies inside. */
export const REMOVE_CONTAINER: ActionSpec = {
  title: () => 'Remove a container',
  submit: 'Review removal',
  danger: true,
  async form(ctx, req) {
    const c = await containerNamed(ctx, req);
    const n = c.networks.length;
    return html`<p>Container <strong>${c.name}</strong> <span class="mono">${c.cidr}</span> in data center ${c.dataCenter} ${
      n === 0
        ? 'holds no network.'
        : html`still holds ${n} network${n === 1 ? '' : 's'}: ${c.networks.map(({ network }, i) => html`${i ? ', ' : ''}<a href="${networkPath(network.name)}">${network.name}</a>`)}. Remove them first.`
    }</p>`;
  },
  async confirm(ctx, req) {
    const c = await containerNamed(ctx, req);
    return html`<p>Remove container <strong>${c.name}</strong> <span class="mono">${c.cidr}</span> for good: no more networks can be carved from it. ${
      c.networks.length > 0
        ? html`It still holds ${c.networks.length} network(s), so this will be refused.`
        : 'Its history stays in the audit log.'
    }</p>`;
  },
  async run(ctx, req) {
    const c = await removeContainer(ctx.store, String(req.params.name), actorOf(req));
    return { redirect: containersPath(), flash: `Removed container ${c.name} (${c.cidr}).` };
  },
};
