/** Every migration, in order. Listed explicitly so compiled and ts-jest runs load the same set. */
import { Initial1764057600000 } from './1764057600000-Initial';
import { IdempotentCommission1764144000000 } from './1764144000000-IdempotentCommission';
import { ReleaseLookupIndexes1764230400000 } from './1764230400000-ReleaseLookupIndexes';
import { AuthAndAudit1764316800000 } from './1764316800000-AuthAndAudit';
import { Management1764403200000 } from './1764403200000-Management';
import { DnsAndHoldDown1764489600000 } from './1764489600000-DnsAndHoldDown';
import { UtilizationAlerts1764576000000 } from './1764576000000-UtilizationAlerts';
import { ConsoleSessions1764662400000 } from './1764662400000-ConsoleSessions';
import { AuthFailures1764748800000 } from './1764748800000-AuthFailures';
import { OneStatementCommission1764835200000 } from './1764835200000-OneStatementCommission';
import { Containers1764921600000 } from './1764921600000-Containers';
import { BatchCommission1764925200000 } from './1764925200000-BatchCommission';

export const MIGRATIONS = [
  Initial1764057600000,
  IdempotentCommission1764144000000,
  ReleaseLookupIndexes1764230400000,
  AuthAndAudit1764316800000,
  Management1764403200000,
  DnsAndHoldDown1764489600000,
  UtilizationAlerts1764576000000,
  ConsoleSessions1764662400000,
  AuthFailures1764748800000,
  OneStatementCommission1764835200000,
  Containers1764921600000,
  BatchCommission1764925200000,
];
