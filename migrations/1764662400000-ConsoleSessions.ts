import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Web console sessions, in the database so that every ipcd process on it knows every session:
 * a browser whose requests land on different processes stays logged in, and a logout or an idle
 * expiry holds everywhere at once. Only a SHA-256 of the cookie's token is stored, so a read of
 * this table does not hand out live sessions. Removing the user ends its sessions.
 */
export class ConsoleSessions1764662400000 implements MigrationInterface {
  name = 'ConsoleSessions1764662400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ui_session (
        token_hash text PRIMARY KEY,
        user_id integer NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL
      );
      CREATE INDEX ui_session_last_seen ON ui_session (last_seen_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ui_session`);
  }
}
