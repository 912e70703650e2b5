/** SQL for containers and carves (src/logic/topology/container-port.ts). */
import { parseCidr } from '../logic/core/ip';
import type { Network } from '../logic/core/model';
import type { CarveRecord, ContainerPort, ContainerRecord, NewContainer } from '../logic/topology/container-port';
import { networkFromRow } from './mapping';
import { Query, type Row, type Sql } from './sql';

const SELECT = `SELECT c.id, c.name, c.cidr::text AS cidr, c.data_center_id, d.name AS data_center,
  c.tenant_id, t.name AS tenant, c.description
  FROM container c JOIN data_center d ON d.id = c.data_center_id LEFT JOIN tenant t ON t.id = c.tenant_id`;

function toContainer(r: Row): ContainerRecord {
  const cidr = parseCidr(r.cidr as string);
  return {
    id: r.id as number,
    name: r.name as string,
    cidr: cidr.text,
    family: cidr.family,
    dataCenterId: r.data_center_id as number,
    dataCenter: r.data_center as string,
    tenantId: (r.tenant_id as number | null) ?? null,
    tenant: (r.tenant as string | null) ?? null,
    description: (r.description as string | null) ?? null,
  };
}

export class SqlContainers implements ContainerPort {
  constructor(private readonly db: Sql) {}

  private async select(q: Query, tail = ''): Promise<ContainerRecord[]> {
    return (await this.db.rows(`${SELECT} WHERE ${q.sql} ${tail}`, q.params)).map(toContainer);
  }

  async containerByName(name: string): Promise<ContainerRecord | null> {
    return (await this.select(new Query().eq('c.name', name)))[0] ?? null;
  }

  async lockContainer(id: number): Promise<ContainerRecord> {
    await this.db.rows(`SELECT 1 FROM container WHERE id = $1 FOR UPDATE`, [id]);
    return (await this.select(new Query().eq('c.id', id)))[0];
  }

  overlappingContainers(dataCenterId: number, cidr: string): Promise<ContainerRecord[]> {
    const q = new Query().eq('c.data_center_id', dataCenterId);
    return this.select(q.where(`c.cidr && ${q.p(cidr)}::cidr`), 'ORDER BY c.cidr');
  }

  listContainers(filter: { dataCenterId?: number }): Promise<ContainerRecord[]> {
    return this.select(new Query().eq('c.data_center_id', filter.dataCenterId), 'ORDER BY d.name, c.cidr');
  }

  async insertContainer(c: NewContainer): Promise<ContainerRecord> {
    const row = await this.db.one<{ id: number }>(
      `INSERT INTO container (name, cidr, data_center_id, tenant_id, description) VALUES ($1, $2::cidr, $3, $4, $5) RETURNING id`,
      [c.name, c.cidr, c.dataCenterId, c.tenantId, c.description],
    );
    return (await this.select(new Query().eq('c.id', row!.id)))[0];
  }

  async deleteContainer(id: number): Promise<void> {
    await this.db.count(`DELETE FROM container WHERE id = $1`, [id]);
  }

  async networksInPrefix(dataCenterId: number, cidr: string): Promise<Network[]> {
    const rows = await this.db.rows(
      `SELECT * FROM network n WHERE n.data_center_id = $1 AND n.cidr && CAST($2 AS cidr) ORDER BY n.cidr`,
      [dataCenterId, cidr],
    );
    return rows.map(networkFromRow);
  }

  async carveByKey(key: string): Promise<CarveRecord | null> {
    const r = await this.db.one(
      `SELECT idempotency_key, container_id, request, network_id, network_name, cidr::text AS cidr FROM carve WHERE idempotency_key = $1`,
      [key],
    );
    if (!r) return null;
    return {
      key: r.idempotency_key as string,
      containerId: r.container_id as number,
      request: r.request as string,
      networkId: (r.network_id as number | null) ?? null,
      networkName: r.network_name as string,
      cidr: parseCidr(r.cidr as string).text,
    };
  }

  async insertCarve(c: CarveRecord): Promise<void> {
    await this.db.count(
      `INSERT INTO carve (idempotency_key, container_id, request, network_id, network_name, cidr) VALUES ($1, $2, $3, $4, $5, $6::cidr)`,
      [c.key, c.containerId, c.request, c.networkId, c.networkName, c.cidr],
    );
  }

  async carvedNetworkIds(containerId: number): Promise<number[]> {
    const rows = await this.db.rows<{ id: number }>(
      `SELECT network_id AS id FROM carve WHERE container_id = $1 AND network_id IS NOT NULL`,
      [containerId],
    );
    return rows.map((r) => r.id);
  }
}
