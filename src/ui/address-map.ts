/**
 * Draws a network's address map: one SVG strip plus the list of ranges. A map of few ranges draws
 * each range to scale; a fragmented one (thousands of runs) is drawn as 512 columns, each showing
 * the share of each kind of address in its slice. Work is proportional to
 * the number of ranges, never to the number of addresses.
 */
import type { MapSegment, SegmentKind } from '../logic/topology/address-map';
import { lastAddress, type Cidr } from '../logic/core/ip';
import { address, count, rangeText } from './format';
import { html, type Html } from './html';

const KINDS: SegmentKind[] = ['allocated', 'reserved', 'held', 'fixed', 'free'];
export const KIND_LABEL: Record<SegmentKind, string> = {
  allocated: 'allocated',
  reserved: 'reserved',
  held: 'held (hold-down)',
  fixed: 'network / gateway / broadcast',
  free: 'free',
};
const EXACT_LIMIT = 400;
const COLUMNS = 512n;
const WIDTH = 1000;

const sizeOf = (s: MapSegment) => s.last - s.first + 1n;

/** Why an address is never issued: it is the network's own, its gateway, or its broadcast. */
function fixedName(cidr: Cidr, gateway: bigint | null, a: bigint): string {
  if (a === gateway) return 'gateway';
  if (a === cidr.network) return cidr.family === 4 ? 'network' : 'subnet-router anycast';
  if (cidr.family === 4 && a === lastAddress(cidr)) return 'broadcast';
  return 'not assignable';
}

/** A range's state; a fixed range names each address ("network (10.0.0.0), gateway (10.0.0.1)"). */
export function stateLabel(cidr: Cidr, gateway: bigint | null, s: MapSegment): string {
  if (s.kind !== 'fixed') return KIND_LABEL[s.kind];
  if (s.first === s.last) return fixedName(cidr, gateway, s.first);
  const names: string[] = [];
  // Fixed ranges are two or three addresses; the bound keeps a surprise from costing anything.
  for (let a = s.first; a <= s.last && names.length < 4; a++)
    names.push(`${fixedName(cidr, gateway, a)} (${address(cidr.family, a)})`);
  return names.join(', ') + (s.last - s.first >= 4n ? ', …' : '');
}
const ratio = (a: bigint, b: bigint) => Number((a * 1_000_000n) / b) / 1_000_000;

export function mapStrip(cidr: Cidr, total: bigint, segments: MapSegment[], gateway: bigint | null): Html {
  const label = `Address map of ${cidr.text}: ${KINDS.map((k) => `${count(segments.filter((s) => s.kind === k).length)} ${KIND_LABEL[k]} range(s)`).join(', ')}. The table below lists them.`;
  if (segments.length <= EXACT_LIMIT || total < COLUMNS) {
    return html`<svg class="map" viewBox="0 0 ${WIDTH} 40" preserveAspectRatio="none" role="img" aria-label="${label}">${segments.map(
      (s) => {
        const x = ratio(s.first - cidr.network, total) * WIDTH;
        const w = Math.max(ratio(sizeOf(s), total) * WIDTH, 1.5);
        return html`<rect class="seg ${s.kind}" x="${x.toFixed(3)}" y="0" width="${w.toFixed(3)}" height="40"><title>${rangeText(cidr.family, s.first, s.last)}: ${stateLabel(cidr, gateway, s)} (${count(sizeOf(s))})</title></rect>`;
      },
    )}</svg>`;
  }
  // Fragmented: per column, how many addresses of each kind; one pass over columns and ranges together.
  const col = total / COLUMNS;
  const share: Record<SegmentKind, bigint>[] = [];
  let i = 0;
  for (let c = 0n; c < COLUMNS; c++) {
    const lo = cidr.network + c * col;
    const hi = lo + col - 1n;
    const acc: Record<SegmentKind, bigint> = { allocated: 0n, reserved: 0n, held: 0n, fixed: 0n, free: 0n };
    while (i < segments.length && segments[i].last < lo) i++;
    for (let j = i; j < segments.length && segments[j].first <= hi; j++) {
      const s = segments[j];
      acc[s.kind] += (s.last < hi ? s.last : hi) - (s.first > lo ? s.first : lo) + 1n;
    }
    share.push(acc);
  }
  const w = WIDTH / Number(COLUMNS);
  return html`<svg class="map" viewBox="0 0 ${WIDTH} 40" preserveAspectRatio="none" role="img" aria-label="${label}">${share.map(
    (acc, c) => {
      let y = 0;
      return KINDS.map((k) => {
        const h = ratio(acc[k], col) * 40;
        if (h <= 0) return html``;
        const r = html`<rect class="seg ${k}" x="${(c * w).toFixed(3)}" y="${y.toFixed(3)}" width="${w.toFixed(3)}" height="${h.toFixed(3)}"></rect>`;
        y += h;
        return r;
      });
    },
  )}</svg>`;
}

export const legend = (): Html =>
  html`<ul class="legend" aria-label="Legend">${KINDS.map((k) => html`<li><span class="swatch ${k}" aria-hidden="true"></span>${KIND_LABEL[k]}</li>`)}</ul>`;
