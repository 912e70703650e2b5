import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('zone')
export class ZoneEntity {
  @PrimaryGeneratedColumn({ type: 'integer' }) id: number;
  @Column('text') name: string;
  /** Next number for generated names; bigint arrives from pg as a string. */
  @Column('bigint', { name: 'next_seq', default: 1 }) nextSeq: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
