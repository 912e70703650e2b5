/**
 * The administrator's actions on networks: for each, its form, what its confirmation says, and
 * the logic call that makes the change. The three steps they all take are in action-steps.ts.
 */
import type { NetworkDetail } from '../../logic/topology/address-map';
import { parseCidr, subnets, lastAddress, parseAddress } from '../../logic/core/ip';
import {
  editNetwork,
  mergeNetworks,
  removeNetwork,
  splitNetwork,
  tagNetwork,
  type NetworkPatch,
} from '../../logic/topology/networks';
import { reserveRange, unreserveRange } from '../../logic/topology/reservations';
import { searchNetworks } from '../../logic/reporting/search';
import { addNetwork, listDataCenters, listTenants, listZones, type NetworkSpec } from '../../logic/topology/topology';
import { checkbox, field, query, select } from '../components';
import { count } from '../format';
import { html } from '../html';
import { BASE } from '../layout';
import { actorOf } from '../session';
import { networkPath } from './network';
import { many, one, opt, type ActionSpec, type Values } from './action-steps';

/** key=value lines (or key alone) into tags; the logic checks keys and values. */
function parseTags(text: string): Record<string, string> {
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
  if (name !== n.name) ((patch.name = name), show('Name', n.name, name));
  const vxlan = one(v, 'vxlan');
  if (vxlan !== (n.vxlan === null ? '' : String(n.vxlan)))
    ((patch.vxlan = vxlan === '' ? null : vxlan), show('VXLAN', n.vxlan, vxlan));
  const tenant = one(v, 'tenant');
  if (tenant !== (d.view.tenant ?? ''))
    ((patch.tenant = tenant === '' ? null : tenant), show('Tenant', d.view.tenant, tenant));
  const zone = one(v, 'zone');
  if (zone !== (d.view.zone ?? '')) ((patch.zone = zone === '' ? null : zone), show('DNS zone', d.view.zone, zone));
  const gateway = one(v, 'gateway');
  if (gateway !== (n.gateway ?? ''))
    ((patch.gateway = gateway === '' ? null : gateway), show('Gateway', n.gateway, gateway));
  const priority = one(v, 'priority');
  if (priority !== String(n.priority)) ((patch.priority = priority), show('Priority', n.priority, priority));
  const pattern = one(v, 'namePattern');
  if (pattern !== n.namePattern) ((patch.namePattern = pattern), show('Name pattern', n.namePattern, pattern));
  const holdDown = one(v, 'holdDownSeconds');
  if (holdDown !== String(n.holdDownSeconds))
    ((patch.holdDownSeconds = holdDown), show('Hold-down (s)', n.holdDownSeconds, holdDown));
  const pool = one(v, 'reservePool') === 'on';
  if (pool !== n.reservePool)
    ((patch.reservePool = pool), show('Reserve pool', n.reservePool ? 'yes' : 'no', pool ? 'yes' : 'no'));
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

const reserve: ActionSpec = {
  title: (n) => `Reserve addresses in ${n}`,
  submit: 'Review',
  async form(_ctx, _req, d, v) {
    return html`<p class="muted">Reserved addresses are never handed out (static hosts, appliances). The range must be free and inside ${d!.view.network.cidr}.</p>
${field('first', 'First address', one(v, 'first'), { required: true })}
${field('last', 'Last address', one(v, 'last'), { help: 'Empty: just the first address.' })}
${field('note', 'Note', one(v, 'note'), { help: 'What the addresses are for (optional).' })}`;
  },
  async confirm(_ctx, _req, d, v) {
    const first = one(v, 'first');
    const last = one(v, 'last') || first;
    const a = parseAddress(first);
    const b = parseAddress(last);
    const size = a && b && b.value >= a.value ? count(b.value - a.value + 1n) : '?';
    return html`<p>Reserve <span class="mono">${first === last ? first : `${first} – ${last}`}</span> (${size} address${size === '1' ? '' : 'es'}) in <strong>${d!.view.network.name}</strong>${
      one(v, 'note') ? html`, note “${one(v, 'note')}”` : ''
    }. They will not be handed out until unreserved.</p>`;
  },
  async run(ctx, req, d, v) {
    const r = await reserveRange(
      ctx.store,
      d!.view.network.name,
      { first: one(v, 'first'), last: opt(one(v, 'last')), note: opt(one(v, 'note')) },
      actorOf(req),
    );
    return {
      redirect: networkPath(r.network),
      flash: `Reserved ${r.first === r.last ? r.first : `${r.first} – ${r.last}`}.`,
    };
  },
};

const unreserve: ActionSpec = {
  title: (n) => `Unreserve addresses in ${n}`,
  submit: 'Review',
  async form(_ctx, _req, d, v) {
    return html`${select(
      'id',
      'Reservation',
      d!.reservations.map((r) => ({
        value: r.id,
        label: `${r.first === r.last ? r.first : `${r.first} – ${r.last}`}${r.note ? ` (${r.note})` : ''}`,
      })),
      one(v, 'id'),
    )}`;
  },
  async confirm(_ctx, _req, d, v) {
    const r = d!.reservations.find((x) => x.id === one(v, 'id'));
    return html`<p>Release the reservation <span class="mono">${r ? (r.first === r.last ? r.first : `${r.first} – ${r.last}`) : one(v, 'id')}</span> in <strong>${d!.view.network.name}</strong>: its addresses become free and can be handed out.</p>`;
  },
  async run(ctx, req, d, v) {
    const r = await unreserveRange(ctx.store, d!.view.network.name, one(v, 'id'), actorOf(req));
    return {
      redirect: networkPath(r.network),
      flash: `Unreserved ${r.first === r.last ? r.first : `${r.first} – ${r.last}`}.`,
    };
  },
};

const split: ActionSpec = {
  title: (n) => `Split ${n}`,
  submit: 'Review split',
  async form(_ctx, _req, d, v) {
    const cidr = parseCidr(d!.view.network.cidr);
    return html`<p class="muted">Every allocation moves to the new network that contains its address; the new networks keep all attributes and tags. The one holding the gateway keeps it.</p>
${field('prefixLength', 'New prefix length', one(v, 'prefixLength') || String(cidr.prefixLength + 1), { required: true, inputmode: 'numeric', help: `Longer than /${cidr.prefixLength}; at most 256 networks at once.` })}
<div class="field"><label for="f-names">Names</label><textarea id="f-names" name="names" rows="4" aria-describedby="f-names-help">${one(v, 'names')}</textarea>
<p class="help" id="f-names-help">One per line, in address order. Empty: ${d!.view.network.name}-1, ${d!.view.network.name}-2, …</p></div>`;
  },
  async confirm(_ctx, _req, d, v) {
    const n = d!.view.network;
    const cidr = parseCidr(n.cidr);
    const len = Number(one(v, 'prefixLength'));
    const names = one(v, 'names')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (
      !Number.isInteger(len) ||
      len <= cidr.prefixLength ||
      len - cidr.prefixLength > 8 ||
      len > (cidr.family === 4 ? 32 : 128)
    ) {
      return html`<p>Split <strong>${n.name}</strong> (${n.cidr}) into /${one(v, 'prefixLength')} networks.</p>`;
    }
    const kids = subnets(cidr, len);
    const inKid = (first: bigint, last: bigint) =>
      d!.segments
        .filter((s) => s.kind === 'allocated')
        .reduce((t, s) => {
          const lo = s.first > first ? s.first : first;
          const hi = s.last < last ? s.last : last;
          return hi >= lo ? t + (hi - lo + 1n) : t;
        }, 0n);
    return html`<p>Split <strong>${n.name}</strong> (${n.cidr}) into ${kids.length} networks of /${len}:</p>
<table class="data"><thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col" class="num">Allocations moved in</th></tr></thead>
<tbody>${kids.map(
      (k, i) =>
        html`<tr><td>${names[i] ?? `${n.name}-${i + 1}`}</td><td class="mono">${k.text}</td><td class="num">${count(inKid(k.network, lastAddress(k)))}</td></tr>`,
    )}</tbody></table>`;
  },
  async run(ctx, req, d, v) {
    const n = d!.view.network;
    const names = one(v, 'names')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    const kids = await splitNetwork(
      ctx.store,
      n.name,
      { prefixLength: one(v, 'prefixLength'), names: names.length ? names : undefined },
      actorOf(req),
    );
    return {
      redirect: `${BASE}/${query({ dc: d!.view.dataCenter, vlan: n.vlan === null ? undefined : String(n.vlan) })}`,
      flash: `Split ${n.name} into ${kids.map((k) => `${k.name} (${k.cidr})`).join(', ')}.`,
    };
  },
};

const merge: ActionSpec = {
  title: (n) => `Merge ${n} with its neighbours`,
  submit: 'Review merge',
  async form(ctx, req, d, v) {
    const n = d!.view.network;
    const { networks } = await searchNetworks(
      ctx.store,
      { dataCenter: d!.view.dataCenter, vlan: n.vlan ?? undefined, pageSize: 1000 },
      actorOf(req),
    );
    const others = networks.filter(
      (x) => x.network.id !== n.id && x.network.family === n.family && x.network.vlan === n.vlan,
    );
    const chosen = new Set(many(v, 'with'));
    return html`<p class="muted">The networks must be adjacent and together make one prefix, and share data center, VLAN, VXLAN, tenant, zone, reserve flag, name pattern and tags. Allocations are kept.</p>
<fieldset><legend>Merge ${n.name} (${n.cidr}) with</legend>
${
  others.length
    ? others.map((o, i) => {
        const id = `with-${i}`;
        return html`<div class="field check"><input type="checkbox" id="${id}" name="with" value="${o.network.name}"${chosen.has(o.network.name) ? html` checked` : ''}><label for="${id}">${o.network.name} <span class="mono muted">${o.network.cidr}</span></label></div>`;
      })
    : html`<p class="muted">No other network of this family on ${n.vlan === null ? 'this data center without a VLAN' : `VLAN ${n.vlan}`}.</p>`
}
</fieldset>
${field('name', 'Name of the merged network', one(v, 'name'), { help: 'Empty: the name of the first network in address order.' })}`;
  },
  async confirm(_ctx, _req, d, v) {
    const n = d!.view.network;
    const withNames = many(v, 'with');
    if (withNames.length === 0) return null;
    return html`<p>Merge <strong>${[n.name, ...withNames].join(', ')}</strong> into one network${one(v, 'name') ? html` named <strong>${one(v, 'name')}</strong>` : ''}. All their allocations and reservations are kept; the other networks disappear.</p>`;
  },
  async run(ctx, req, d, v) {
    const merged = await mergeNetworks(
      ctx.store,
      [d!.view.network.name, ...many(v, 'with')],
      { name: opt(one(v, 'name')) },
      actorOf(req),
    );
    return { redirect: networkPath(merged.name), flash: `Merged into ${merged.name} (${merged.cidr}).` };
  },
};

const remove: ActionSpec = {
  title: (n) => `Remove ${n}`,
  submit: 'Review removal',
  danger: true,
  async form(_ctx, _req, d, v) {
    const used = d!.view.used;
    return html`<p>${used > 0n ? html`<strong>${d!.view.network.name}</strong> has ${count(used)} active allocation${used === 1n ? '' : 's'}.` : html`<strong>${d!.view.network.name}</strong> has no active allocations.`}</p>
${checkbox('force', 'Release its active allocations (force)', one(v, 'force') === 'on', 'Their holders lose their addresses and names at once. Without this, removing a network in use is refused.')}`;
  },
  async confirm(_ctx, _req, d, v) {
    const n = d!.view.network;
    const force = one(v, 'force') === 'on';
    return html`<p>Remove network <strong>${n.name}</strong> (${n.cidr}) for good.${
      d!.view.used > 0n
        ? force
          ? html` Its <strong>${count(d!.view.used)}</strong> active allocation(s) will be released (reason NETWORK_REMOVED).`
          : html` It still has ${count(d!.view.used)} active allocation(s), so without force this will be refused.`
        : ''
    } Its history stays in the audit log.</p>`;
  },
  async run(ctx, req, d, v) {
    const r = await removeNetwork(ctx.store, d!.view.network.name, { force: one(v, 'force') === 'on' }, actorOf(req));
    return {
      redirect: `${BASE}/`,
      flash: `Removed ${r.network.name}${r.released ? `; released ${r.released} allocation(s)` : ''}.`,
    };
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
