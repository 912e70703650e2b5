/**
 * Metering for chargeback (the seed's billing use): per tenant and UTC day, how many allocations
 * were active and how many address-hours they held. An allocation is charged to the tenant fixed
 * when it was issued.
 */
import { IpcdError, invalid } from '../core/errors';
import { readScope, systemActor, type Actor } from '../access/policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { ReportsPort, UsageDayRow } from './port';
import type { TopologyPort } from '../topology/port';

/** The ports this module uses. */
type Tx = { topology: TopologyPort; reports: ReportsPort };

export type UsageRow = UsageDayRow;

export const MAX_DAYS = 366;

export async function tenantUsage(
  store: UnitOfWork<Tx>,
  q: { tenant?: string; from: Date | string; to: Date | string },
  actor: Actor = systemActor(),
): Promise<UsageRow[]> {
  const from = date(q.from, 'from');
  const to = date(q.to, 'to');
  if (to <= from) throw invalid('to must be after from');
  if (to.getTime() - from.getTime() > MAX_DAYS * 86_400_000)
    throw invalid(`a usage report covers at most ${MAX_DAYS} days`);
  const scope = readScope(actor.principal);
  return store.transaction(async (tx) => {
    let tenantId: number | undefined;
    if (q.tenant !== undefined) {
      const t = await tx.topology.tenantByName(String(q.tenant));
      if (!t && scope.all) throw new IpcdError('NOT_FOUND', `tenant '${q.tenant}' is not known to ipcd`);
      if (!t) return [];
      tenantId = t.id;
    }
    return tx.reports.usageByDay(from, to, tenantId, scope.all ? undefined : scope.grants);
  });
}

function date(value: Date | string, field: string): Date {
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) throw invalid(`${field} must be a date or date-time such as 2026-11-01`);
  return d;
}

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** RFC 4180 CSV (tenant names are restricted to safe characters, so no cell reads as a formula). */
export function usageCsv(rows: UsageRow[]): string {
  const lines = ['tenant,day,allocations,address_hours'];
  for (const r of rows)
    lines.push([csvField(r.tenant), r.day, String(r.allocations), r.addressHours.toFixed(3)].join(','));
  return lines.join('\r\n') + '\r\n';
}
