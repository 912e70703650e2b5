import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CommissionIPBatch / DecommissionIPBatch: many plans in one round trip, each carried out by the
 * very function a single call uses (ipcd_commission / ipcd_decommission of 1764835200000); which
 * outcome counts as a refusal stays the logic's decision.
 * - separate: each plan in its own subtransaction, so a plan that raises (names taken, no zone,
 *   a lost race) undoes only itself and reports that as its status. The logic sends at most 50
 *   plans a call: more than 64 subtransactions in one transaction overflow PostgreSQL's
 *   per-backend cache, which slows every other session's snapshots.
 * - atomic: no subtransaction per plan (the caller's transaction is rolled back on any refusal);
 *   the first plan that raises ends the call and is named (ABORTED), its work undone.
 */
export class BatchCommission1764925200000 implements MigrationInterface {
  name = 'BatchCommission1764925200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION ipcd_batch_call(fn text, pl jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
      BEGIN
        IF fn = 'commission' THEN RETURN ipcd_commission(pl); END IF;
        RETURN ipcd_decommission(pl);
      END $$;

      -- A plan's exception as its status (sqlstate and detail as the exception left them).
      CREATE FUNCTION ipcd_batch_raised(state text, detail text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE
          WHEN state = 'IPC01' THEN jsonb_build_object('status', 'NAMES_TAKEN')
          WHEN state = 'IPC02' THEN jsonb_build_object('status', 'NO_ZONE', 'networkId', detail::integer)
          ELSE jsonb_build_object('status', 'CONFLICT') END
      $$;

      CREATE FUNCTION ipcd_batch(fn text, p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
      DECLARE
        -- An array, appended in place (a jsonb value would be copied whole on every append).
        out jsonb[] := '{}';
        pl jsonb;
        r jsonb;
        i integer := 0;
        state text;
        detail text;
      BEGIN
        IF NOT ipcd_use_nonce(p) THEN RETURN jsonb_build_object('status', 'REPLAY'); END IF;
        IF NOT coalesce((p->>'atomic')::boolean, false) THEN
          FOR pl IN SELECT x.value FROM jsonb_array_elements(p->'plans') AS x(value) LOOP
            BEGIN
              r := ipcd_batch_call(fn, pl);
            EXCEPTION WHEN SQLSTATE 'IPC01' OR SQLSTATE 'IPC02' OR unique_violation OR exclusion_violation
                OR serialization_failure OR deadlock_detected THEN
              GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
              r := ipcd_batch_raised(state, detail);
            END;
            out := array_append(out, r);
          END LOOP;
          RETURN jsonb_build_object('status', 'OK', 'results', to_jsonb(out));
        END IF;
        BEGIN
          FOR pl IN SELECT x.value FROM jsonb_array_elements(p->'plans') AS x(value) LOOP
            i := i + 1;
            out := array_append(out, ipcd_batch_call(fn, pl));
          END LOOP;
        EXCEPTION WHEN SQLSTATE 'IPC01' OR SQLSTATE 'IPC02' OR unique_violation OR exclusion_violation
            OR serialization_failure OR deadlock_detected THEN
          GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
          RETURN jsonb_build_object('status', 'ABORTED', 'failed', i - 1, 'result', ipcd_batch_raised(state, detail));
        END;
        RETURN jsonb_build_object('status', 'OK', 'results', to_jsonb(out));
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION ipcd_batch(text, jsonb), ipcd_batch_raised(text, text), ipcd_batch_call(text, jsonb);`,
    );
  }
}
