/** Every migration, in order. Listed explicitly so compiled and ts-jest runs load the same set. */
import { Initial1764057600000 } from './1764057600000-Initial';
import { IdempotentCommission1764144000000 } from './1764144000000-IdempotentCommission';

export const MIGRATIONS = [Initial1764057600000, IdempotentCommission1764144000000];
