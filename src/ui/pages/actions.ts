/**
 * The administrator's actions on networks: for each, its form, what its confirmation says, and
 * the logic call that makes the change. The three steps they all take are in action-steps.ts.
 */
import type { NetworkDetail } from '../../logic/topology/address-map';
import { editNetwork, tagNetwork, type NetworkPatch } from '../../logic/topology/networks';
import { addNetwork, listDataCenters, listTenants, listZones, type NetworkSpec } from '../../logic/topology/topology';
import { checkbox, field, select } from '../components';
import { html } from '../html';
import { actorOf } from '../session';
import { networkPath } from './network';
import { many, one, opt, type ActionSpec, type Values } from './action-steps';
import { merge, remove, split } from './network-layout-actions';
import { reserve, unreserve } from './reservation-actions';

/** key=value lines (or key alone) into tags; the logic checks keys and values. */
export function parseTags(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t) continue;
    const i = t.indexOf('=');
    if (i < 0) out[t] = '';
    else out[t.slice(0, i).trim()] = t.slice(i + 1).trim();
  }
  return out;
}
const tagsText = (t: Record<string, string>) =>
  Object.entries(t)
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
    .join('\n');

// ---------------------------------------------------------------- the actions

const edit: ActionSpec = {
  title: (n) => `Edit ${n}`,
  submit: 'Review changes',
  async form(ctx, req, d, v) {
    const n = d!.view.network;
    const actor = actorOf(req);
    const [tenants, zones] = await Promise.all([listTenants(ctx.store, actor), listZones(ctx.store)]);
    const val = (k: string, cur: string) => (k in v ? one(v, k) : cur);
    return html`${field('name', 'Name', val('name', n.name), { required: true })}
${field('vxlan', 'VXLAN', val('vxlan', n.vxlan === null ? '' : String(n.vxlan)), { inputmode: 'numeric', help: 'Empty: none.' })}
${select('tenant', 'Tenant', [{ value: '', label: '(none)' }, ...tenants.map((t) => ({ value: t.name, label: t.name }))], val('tenant', d!.view.tenant ?? ''))}
${select('zone', 'DNS zone', [{ value: '', label: '(none)' }, ...zones.map((z) => ({ value: z.name, label: z.name }))], val('zone', d!.view.zone ?? ''))}
${field('gateway', 'Gateway', val('gateway', n.gateway ?? ''), { help: 'Empty: the network has no gateway. The gateway is never handed out.' })}
${field('priority', 'Priority', val('priority', String(n.priority)), { inputmode: 'numeric', help: 'Lower is tried first among the networks on a VLAN.' })}
${field('namePattern', 'Name pattern', val('namePattern', n.namePattern), { help: 'Generated host names, e.g. vm-{seq:6}.' })}
${field('holdDownSeconds', 'Hold-down (seconds)', val('holdDownSeconds', String(n.holdDownSeconds)), { inputmode: 'numeric', help: 'How long a released address waits before it is issued again; 0: at once.' })}
${checkbox('reservePool', 'Reserve pool of the data center', 'name' in v ? one(v, 'reservePool') === 'on' : n.reservePool)}`;
  },
  async confirm(_ctx, _req, d, v) {
    const changes = editPatch(d!, v);
    const rows = Object.entries(changes.shown);
    if (rows.length === 0) return null;
    return html`<p>These attributes of <strong>${d!.view.network.name}</strong> change:</p>
<table class="data"><thead><tr><th scope="col">Attribute</th><th scope="col">Now</th><th scope="col">After</th></tr></thead>
<tbody>${rows.map(([k, [a, b]]) => html`<tr><th scope="row">${k}</th><td>${a}</td><td><strong>${b}</strong></td></tr>`)}</tbody></table>`;
  },
  async run(ctx, req, d, v) {
    const { patch } = editPatch(d!, v);
    const n = await editNetwork(ctx.store, d!.view.network.name, patch, actorOf(req));
    return { redirect: networkPath(n.name), flash: `Network ${n.name} saved.` };
  },
};

function editPatch(d: NetworkDetail, v: Values): { patch: NetworkPatch; shown: Record<string, [string, string]> } {
  const n = d.view.network;
  const patch: NetworkPatch = {};
  const shown: Record<string, [string, string]> = {};
  const show = (label: string, a: unknown, b: unknown) =>
    (shown[label] = [a === null || a === '' ? '—' : String(a), b === null || b === '' ? '—' : String(b)]);
  const name = one(v, 'name');
  if (name !== n.name) {
    patch.name = name;
    show('Name', n.name, name);
  }
  const vxlan = one(v, 'vxlan');
  if (vxlan !== (n.vxlan === null ? '' : String(n.vxlan))) {
    patch.vxlan = vxlan === '' ? null : vxlan;
    show('VXLAN', n.vxlan, vxlan);
  }
  const tenant = one(v, 'tenant');
  if (tenant !== (d.view.tenant ?? '')) {
    patch.tenant = tenant === '' ? null : tenant;
    show('Tenant', d.view.tenant, tenant);
  }
  const zone = one(v, 'zone');
  if (zone !== (d.view.zone ?? '')) {
    patch.zone = zone === '' ? null : zone;
    show('DNS zone', d.view.zone, zone);
  }
  const gateway = one(v, 'gateway');
  if (gateway !== (n.gateway ?? '')) {
    patch.gateway = gateway === '' ? null : gateway;
    show('Gateway', n.gateway, gateway);
  }
  const priority = one(v, 'priority');
  if (priority !== String(n.priority)) {
    patch.priority = priority;
    show('Priority', n.priority, priority);
  }
  const pattern = one(v, 'namePattern');
  if (pattern !== n.namePattern) {
    patch.namePattern = pattern;
    show('Name pattern', n.namePattern, pattern);
  }
  const holdDown = one(v, 'holdDownSeconds');
  if (holdDown !== String(n.holdDownSeconds)) {
    patch.holdDownSeconds = holdDown;
    show('Hold-down (s)', n.holdDownSeconds, holdDown);
  }
  const pool = one(v, 'reservePool') === 'on';
  if (pool !== n.reservePool) {
    patch.reservePool = pool;
    show('Reserve pool', n.reservePool ? 'yes' : 'no', pool ? 'yes' : 'no');
  }
  return { patch, shown };
}

const tagsAction: ActionSpec = {
  title: (n) => `Tags of ${n}`,
  submit: 'Review',
  async form(_ctx, _req, d, v) {
    const current = Object.entries(d!.view.network.tags);
    const removing = new Set(many(v, 'remove'));
    return html`<fieldset><legend>Add or change a tag</legend>
${field('key', 'Key', one(v, 'key'), { help: "Letters, digits, '.', '_', '/' or '-'." })}
${field('value', 'Value', one(v, 'value'))}
</fieldset>
${
  current.length
    ? html`<fieldset><legend>Remove tags</legend>${current.map(([k, val], i) => {
        const id = `rm-${i}`;
        return html`<div class="field check"><input type="checkbox" id="${id}" name="remove" value="${k}"${removing.has(k) ? html` checked` : ''}><label for="${id}"><span class="mono">${k}${val ? `=${val}` : ''}</span></label></div>`;
      })}</fieldset>`
    : ''
}`;
  },
  async confirm(_ctx, _req, d, v) {
    const key = one(v, 'key');
    const remove = many(v, 'remove');
    if (!key && remove.length === 0) return null;
    return html`<p>On <strong>${d!.view.network.name}</strong>:</p><ul>
${key ? html`<li>set tag <span class="mono">${key}=${one(v, 'value')}</span></li>` : ''}
${remove.map((k) => html`<li>remove tag <span class="mono">${k}</span></li>`)}
</ul>`;
  },
  async run(ctx, req, d, v) {
    const key = one(v, 'key');
    const n = await tagNetwork(
      ctx.store,
      d!.view.network.name,
      key ? { [key]: one(v, 'value') } : {},
      many(v, 'remove'),
      actorOf(req),
    );
    return { redirect: networkPath(n.name), flash: `Tags of ${n.name} saved.` };
  },
};

const add: ActionSpec = {
  title: () => 'Add a network',
  submit: 'Review',
  async form(ctx, req, _d, v) {
    const actor = actorOf(req);
    const [dcs, tenants, zones] = await Promise.all([
      listDataCenters(ctx.store, actor),
      listTenants(ctx.store, actor),
      listZones(ctx.store),
    ]);
    return html`${field('name', 'Name', one(v, 'name'), { required: true, autofocus: true })}
${field('cidr', 'Prefix', one(v, 'cidr'), { required: true, placeholder: '10.0.0.0/24 or 2001:db8::/64' })}
${select(
  'dataCenter',
  'Data center',
  dcs.map((d) => ({ value: d.name, label: d.name })),
  one(v, 'dataCenter'),
)}
${field('vlan', 'VLAN', one(v, 'vlan'), { inputmode: 'numeric', help: 'Empty for a reserve pool without a VLAN.' })}
${field('vxlan', 'VXLAN', one(v, 'vxlan'), { inputmode: 'numeric' })}
${select('tenant', 'Tenant', [{ value: '', label: '(none)' }, ...tenants.map((t) => ({ value: t.name, label: t.name }))], one(v, 'tenant'))}
${select('zone', 'DNS zone', [{ value: '', label: '(none)' }, ...zones.map((z) => ({ value: z.name, label: z.name }))], one(v, 'zone'))}
${field('gateway', 'Gateway', one(v, 'gateway'), { help: 'Empty: the first host address.' })}
${checkbox('noGateway', 'No gateway', one(v, 'noGateway') === 'on')}
${field('priority', 'Priority', one(v, 'priority') || '100', { inputmode: 'numeric' })}
${field('namePattern', 'Name pattern', one(v, 'namePattern'), { placeholder: 'vm-{seq:6}' })}
${field('holdDownSeconds', 'Hold-down (seconds)', one(v, 'holdDownSeconds') || '0', { inputmode: 'numeric', help: 'How long a released address waits before it is issued again.' })}
${checkbox('reservePool', 'Reserve pool of the data center', one(v, 'reservePool') === 'on')}
<div class="field"><label for="f-tags">Tags</label><textarea id="f-tags" name="tags" rows="3" aria-describedby="f-tags-help">${one(v, 'tags')}</textarea><p class="help" id="f-tags-help">One key=value a line.</p></div>`;
  },
  async confirm(_ctx, _req, _d, v) {
    const spec = addSpec(v);
    return html`<p>Add network <strong>${spec.name}</strong> <span class="mono">${spec.cidr}</span> in data center ${spec.dataCenter}${
      spec.vlan ? html` on VLAN ${spec.vlan}` : ' without a VLAN'
    }${spec.tenant ? html` for tenant ${spec.tenant}` : ''}${spec.zone ? html`, zone ${spec.zone}` : ''}; gateway ${
      spec.gateway === null ? 'none' : (spec.gateway ?? 'the first host')
    }${spec.reservePool ? '; reserve pool' : ''}${Object.keys(spec.tags ?? {}).length ? html`; tags <span class="mono">${tagsText(spec.tags!)}</span>` : ''}.</p>`;
  },
  async run(ctx, req, _d, v) {
    const n = await addNetwork(ctx.store, addSpec(v), actorOf(req));
    return { redirect: networkPath(n.name), flash: `Added ${n.name} (${n.cidr}).` };
  },
};

function addSpec(v: Values): NetworkSpec {
  return {
    name: one(v, 'name'),
    cidr: one(v, 'cidr'),
    dataCenter: one(v, 'dataCenter'),
    vlan: opt(one(v, 'vlan')),
    vxlan: opt(one(v, 'vxlan')),
    tenant: opt(one(v, 'tenant')),
    zone: opt(one(v, 'zone')),
    gateway: one(v, 'noGateway') === 'on' ? null : opt(one(v, 'gateway')),
    priority: opt(one(v, 'priority')),
    namePattern: opt(one(v, 'namePattern')),
    holdDownSeconds: opt(one(v, 'holdDownSeconds')),
    reservePool: one(v, 'reservePool') === 'on',
    tags: parseTags(one(v, 'tags')),
  };
}

export const NETWORK_ACTIONS: Record<string, ActionSpec> = {
  edit,
  tags: tagsAction,
  reserve,
  unreserve,
  split,
  merge,
  remove,
};
export const ADD_NETWORK = add;
