import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A server instance holds at most one active allocation per (data center, VLAN, intent), so a
 * retried CommissionIP returns what the first attempt got instead of leaking a second address.
 * Intent: IPv4 or IPv6 (an address, maybe with a name) or NAME (a name only).
 * Also records why an allocation was released (the VM was deleted, or migrated elsewhere).
 */
export class IdempotentCommission1764144000000 implements MigrationInterface {
  name = 'IdempotentCommission1764144000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE allocation ADD COLUMN intent text;
      UPDATE allocation SET intent = CASE WHEN address IS NULL THEN 'NAME' WHEN family(address) = 6 THEN 'IPv6' ELSE 'IPv4' END;
      ALTER TABLE allocation ALTER COLUMN intent SET NOT NULL;
      ALTER TABLE allocation ADD CONSTRAINT allocation_intent_known CHECK (intent IN ('IPv4', 'IPv6', 'NAME'));
      CREATE UNIQUE INDEX allocation_one_per_instance
        ON allocation (requested_dc_id, requested_vlan, server_instance, intent) WHERE released_at IS NULL;
      ALTER TABLE allocation ADD COLUMN release_reason text
        CONSTRAINT allocation_release_reason_known CHECK (release_reason IN ('DELETED', 'MIGRATED'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX allocation_one_per_instance;
      ALTER TABLE allocation DROP COLUMN intent, DROP COLUMN release_reason;
    `);
  }
}
