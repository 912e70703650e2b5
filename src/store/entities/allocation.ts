import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('allocation')
export class AllocationEntity {
  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' }) id: string;
  @Column('integer', { name: 'network_id' }) networkId: number;
  @Column('inet', { nullable: true }) address: string | null;
  @Column('integer', { name: 'zone_id', nullable: true }) zoneId: number | null;
  @Column('text', { nullable: true }) name: string | null;
  @Column('text', { name: 'server_instance' }) serverInstance: string;
  @Column('text', { nullable: true }) source: string | null;
  @Column('integer', { name: 'requested_dc_id' }) requestedDataCenterId: number;
  @Column('integer', { name: 'requested_vlan' }) requestedVlan: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'address_released_at', nullable: true }) addressReleasedAt: Date | null;
  @Column('timestamptz', { name: 'name_released_at', nullable: true }) nameReleasedAt: Date | null;
  @Column('timestamptz', { name: 'released_at', nullable: true }) releasedAt: Date | null;
}
