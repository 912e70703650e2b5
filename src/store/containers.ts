/** SQL for containers and carves (src/logic/topology/container-port.ts). */
import type { EntityManager } from 'typeorm';
import { parseCidr } from '../logic/core/ip';
import type { Network } from '../logic/core/model';
import type { CarveRecord, ContainerPort, ContainerRecord, NewContainer } from '../logic/topology/container-port';
import { NetworkEntity } from './entities';
import { toNetwork } from './mapping';

const SELECT = `SELECT c.id, c.name, c.cidr::text AS cidr, c.data_center_id, d.name AS data_center,
  c.tenant_id, t.name AS tenant, c.description
  FROM container c JOIN data_center d ON d.id = c.data_center_id LEFT JOIN tenant t ON t.id = c.tenant_id`;

function toContainer(r: Record<string, unknown>): ContainerRecord {
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

export class ContainerSql implements ContainerPort {
  constructor(private readonly m: EntityManager) {}

  private async select(where: string, params: unknown[], tail = ''): Promise<ContainerRecord[]> {
    const rows: Record<string, unknown>[] = await this.m.query(`${SELECT} WHERE ${where} ${tail}`, params);
    return rows.map(toContainer);
  }

  async containerByName(name: string): Promise<ContainerRecord | null> {
    return (await this.select('c.name = $1', [name]))[0] ?? null;
  }

  async lockContainer(id: number): Promise<ContainerRecord> {
    await this.m.query(`SELECT 1 FROM container WHERE id = $1 FOR UPDATE`, [id]);
    return (await this.select('c.id = $1', [id]))[0];
  }

  overlappingContainers(dataCenterId: number, cidr: string): Promise<ContainerRecord[]> {
    return this.select('c.data_center_id = $1 AND c.cidr && $2::cidr', [dataCenterId, cidr], 'ORDER BY c.cidr');
  }

  listContainers(filter: { dataCenterId?: number }): Promise<ContainerRecord[]> {
    return filter.dataCenterId === undefined
      ? this.select('true', [], 'ORDER BY d.name, c.cidr')
      : this.select('c.data_center_id = $1', [filter.dataCenterId], 'ORDER BY d.name, c.cidr');
  }

  async insertContainer(c: NewContainer): Promise<ContainerRecord> {
    const [row]: { id: number }[] = await this.m.query(
      `INSERT INTO container (name, cidr, data_center_id, tenant_id, description) VALUES ($1, $2::cidr, $3, $4, $5) RETURNING id`,
      [c.name, c.cidr, c.dataCenterId, c.tenantId, c.description],
    );
    return (await this.select('c.id = $1', [row.id]))[0];
  }

  async deleteContainer(id: number): Promise<void> {
    await this.m.query(`DELETE FROM container WHERE id = $1`, [id]);
  }

  async networksInPrefix(dataCenterId: number, cidr: string): Promise<Network[]> {
    const rows = await this.m
      .getRepository(NetworkEntity)
      .createQueryBuilder('n')
      .where('n.data_center_id = :dataCenterId', { dataCenterId })
      .andWhere('n.cidr && CAST(:cidr AS cidr)', { cidr })
      .orderBy('n.cidr')
      .getMany();
    return rows.map(toNetwork);
  }

  async carveByKey(key: string): Promise<CarveRecord | null> {
    const [r]: Record<string, unknown>[] = await this.m.query(
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
    await this.m.query(
      `INSERT INTO carve (idempotency_key, container_id, request, network_id, network_name, cidr) VALUES ($1, $2, $3, $4, $5, $6::cidr)`,
      [c.key, c.containerId, c.request, c.networkId, c.networkName, c.cidr],
    );
  }

  async carvedNetworkIds(containerId: number): Promise<number[]> {
    const rows: { id: number }[] = await this.m.query(`SELECT network_id AS id FROM carve WHERE container_id = $1 AND network_id IS NOT NULL`, [containerId]);
    return rows.map((r) => r.id);
  }
}
