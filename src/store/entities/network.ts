import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('network')
export class NetworkEntity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column('text') name: string;
  @Column('cidr') cidr: string;
  @Column('integer', { name: 'data_center_id' }) dataCenterId: number;
  @Column('integer', { nullable: true }) vlan: number | null;
  @Column('integer', { nullable: true }) vxlan: number | null;
  @Column('integer', { name: 'tenant_id', nullable: true }) tenantId: number | null;
  @Column('integer', { default: 100 }) priority: number;
  @Column('integer', { name: 'zone_id', nullable: true }) zoneId: number | null;
  @Column('inet', { nullable: true }) gateway: string | null;
  @Column('boolean', { name: 'reserve_pool', default: false }) reservePool: boolean;
  @Column('text', { name: 'name_pattern' }) namePattern: string;
  @Column('jsonb', { default: {} }) tags: Record<string, string>;
  @Column('integer', { name: 'hold_down_seconds', default: 0 }) holdDownSeconds: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
