import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Assignable addresses not in use, as inclusive ranges; see the allocation repository. */
@Entity('free_range')
export class FreeRangeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('integer', { name: 'network_id' }) networkId: number;
  @Column('inet', { name: 'first_addr' }) firstAddr: string;
  @Column('inet', { name: 'last_addr' }) lastAddr: string;
}
