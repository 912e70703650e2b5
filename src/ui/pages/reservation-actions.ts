/**
 * Reserve and unreserve: they change what may be handed out inside a network, not the network
 * itself, so they sit apart from the network's own actions (actions.ts).
 */
import { parseAddress } from '../../logic/core/ip';
import { reserveRange, unreserveRange } from '../../logic/topology/reservations';
import { field, select } from '../components';
import { count } from '../format';
import { html } from '../html';
import { actorOf } from '../session';
import { networkPath } from './network';
import { one, opt, type ActionSpec } from './action-steps';

export const reserve: ActionSpec = {
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

export const unreserve: ActionSpec = {
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
