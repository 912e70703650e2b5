import { QueryFailedError, type DataSource } from 'typeorm';
import { StoreConflict } from '../logic/errors';
import type { Store, StoreTx } from '../logic/ports';
import { TypeormTx } from './tx';

/** SQLSTATEs meaning "another transaction won": unique, exclusion, serialization, deadlock. */
const CONFLICT_STATES = new Set(['23505', '23P01', '40001', '40P01']);

export class TypeormStore implements Store {
  constructor(
    readonly dataSource: DataSource,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction((m) => fn(new TypeormTx(m)));
    } catch (e) {
      const state = e instanceof QueryFailedError ? (e.driverError as { code?: string })?.code : undefined;
      if (state && CONFLICT_STATES.has(state)) throw new StoreConflict(`${state}: ${e instanceof Error ? e.message : e}`);
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.onClose();
  }
}
