/**
 * Split, merge and remove: the actions that reshape the address space and move or release
 * allocations, each with a confirmation that says what will move.
 */
import { parseCidr, subnets, lastAddress } from '../../logic/core/ip';
import { mergeNetworks, removeNetwork, splitNetwork } from '../../logic/topology/networks';
import { searchNetworks } from '../../logic/reporting/search';
import { checkbox, field, query } from '../components';
import { count } from '../format';
import { html } from '../html';
import { BASE } from '../layout';
import { actorOf } from '../session';
import { networkPath } from './network';
import { many, one, opt, type ActionSpec } from './action-steps';

export const split: ActionSpec = {
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

export const merge: ActionSpec = {
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

export const remove: ActionSpec = {
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
