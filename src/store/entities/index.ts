import { AllocationEntity } from './allocation';
import { DataCenterEntity } from './data-center';
import { FreeRangeEntity } from './free-range';
import { NetworkEntity } from './network';
import { TenantEntity } from './tenant';
import { ZoneEntity } from './zone';

export { AllocationEntity, DataCenterEntity, FreeRangeEntity, NetworkEntity, TenantEntity, ZoneEntity };
export const ENTITIES = [DataCenterEntity, TenantEntity, ZoneEntity, NetworkEntity, FreeRangeEntity, AllocationEntity];
