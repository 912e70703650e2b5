import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hot path in one statement each way.
 * - ipcd_config.version: bumped (and NOTIFYed on channel ipcd_config) by every change to what a
 *   process caches: data centers, tenants, zones, reverse zones, networks, users and grants.
 *   Processes serve commissions from a cached copy; the statement that writes re-checks the
 *   version under the networks' shared locks and answers STALE instead of writing, so a stale
 *   copy is never acted on.
 * - ipcd_commission / ipcd_decommission: carry out a plan the logic made (candidate networks in
 *   order, names, DNS records, audit row) atomically: one round trip, committed on its own.
 * - ipcd_take_address: lowest unlocked free range (SKIP LOCKED); a large range gives up its
 *   head as small ranges, so concurrent takers lock different rows instead of queueing on one.
 */
export class OneStatementCommission1764835200000 implements MigrationInterface {
  name = 'OneStatementCommission1764835200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ipcd_config (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        version bigint NOT NULL
      );
      INSERT INTO ipcd_config VALUES (true, 1);

      CREATE FUNCTION ipcd_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE v bigint;
      BEGIN
        UPDATE ipcd_config SET version = version + 1 RETURNING version INTO v;
        PERFORM pg_notify('ipcd_config', v::text);
        RETURN NULL;
      END $$;

      CREATE TRIGGER data_center_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON data_center FOR EACH STATEMENT EXECUTE FUNCTION ipcd_config_changed();
      CREATE TRIGGER tenant_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenant FOR EACH STATEMENT EXECUTE FUNCTION ipcd_config_changed();
      CREATE TRIGGER network_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON network FOR EACH STATEMENT EXECUTE FUNCTION ipcd_config_changed();
      CREATE TRIGGER reverse_zone_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON reverse_zone FOR EACH STATEMENT EXECUTE FUNCTION ipcd_config_changed();
      CREATE TRIGGER app_user_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON app_user FOR EACH STATEMENT EXECUTE FUNCTION ipcd_config_changed();
      CREATE TRIGGER user_grant_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_grant FOR EACH STATEMENT EXECUTE FUNCTION ipcd_config_changed();
      -- Not next_seq: reserving name numbers is no change of configuration.
      CREATE TRIGGER zone_config AFTER INSERT OR DELETE OR TRUNCATE ON zone FOR EACH STATEMENT EXECUTE FUNCTION ipcd_config_changed();
      CREATE TRIGGER zone_config_edit AFTER UPDATE OF name, dns_server, dns_key_name, dns_key_algorithm, dns_key_secret, dns_ttl ON zone
        FOR EACH STATEMENT EXECUTE FUNCTION ipcd_config_changed();

      -- The PTR owner of an address (twin of reverseName in src/logic/dns/dns.ts; a test compares them).
      CREATE FUNCTION ipcd_ptr_name(a inet) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
        SELECT CASE WHEN family(a) = 4
          THEN get_byte(b, 7) || '.' || get_byte(b, 6) || '.' || get_byte(b, 5) || '.' || get_byte(b, 4) || '.in-addr.arpa'
          ELSE (SELECT string_agg(substr(h, i, 1), '.' ORDER BY i DESC) FROM generate_series(1, 32) i) || '.ip6.arpa'
        END
        FROM (SELECT inet_send(a) AS b, encode(substring(inet_send(a) FROM 5), 'hex') AS h) x
      $$;

      -- Replaces each "$key" string in a template the logic wrote with the value of key.
      CREATE FUNCTION ipcd_fill(t jsonb, v jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
      DECLARE s text := t::text; k text; val jsonb;
      BEGIN
        IF t IS NULL OR jsonb_typeof(t) = 'null' THEN RETURN NULL; END IF;
        FOR k, val IN SELECT * FROM jsonb_each(v) LOOP
          s := replace(s, to_jsonb('$' || k)::text, val::text);
        END LOOP;
        RETURN s::jsonb;
      END $$;

      CREATE FUNCTION ipcd_take_address(nid integer, due_holds boolean) RETURNS inet LANGUAGE plpgsql AS $$
      DECLARE
        r free_range;
        tries integer := 0;
        top inet;
      BEGIN
        IF due_holds THEN
          WITH due AS (
            DELETE FROM held_address WHERE ctid IN (
              SELECT ctid FROM held_address WHERE network_id = nid AND until <= now() ORDER BY until LIMIT 64 FOR UPDATE SKIP LOCKED)
            RETURNING address)
          INSERT INTO free_range (network_id, first_addr, last_addr) SELECT nid, address, address FROM due;
        END IF;
        LOOP
          SELECT * INTO r FROM free_range WHERE network_id = nid ORDER BY first_addr LIMIT 1 FOR UPDATE SKIP LOCKED;
          IF NOT FOUND THEN
            -- Full, or every range is held by another taker: wait for the lowest.
            SELECT * INTO r FROM free_range WHERE network_id = nid ORDER BY first_addr LIMIT 1 FOR UPDATE;
          END IF;
          EXIT WHEN FOUND;
          IF NOT EXISTS (SELECT 1 FROM free_range WHERE network_id = nid) THEN RETURN NULL; END IF;
          tries := tries + 1;
          IF tries >= 64 THEN
            RAISE EXCEPTION 'free ranges of network % kept changing under concurrent takers', nid USING ERRCODE = '40001';
          END IF;
        END LOOP;
        IF r.first_addr = r.last_addr THEN
          DELETE FROM free_range WHERE id = r.id;
          RETURN r.first_addr;
        END IF;
        -- inet + n must stay inside the address space: compare against its top first.
        top := CASE WHEN family(r.first_addr) = 4 THEN inet '255.255.255.0' ELSE inet 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00' END;
        IF r.first_addr < top AND r.last_addr > r.first_addr + 64 THEN
          INSERT INTO free_range (network_id, first_addr, last_addr)
            SELECT nid, r.first_addr + 1 + i * 4, r.first_addr + 4 + i * 4 FROM generate_series(0, 15) i;
          UPDATE free_range SET first_addr = r.first_addr + 65 WHERE id = r.id;
        ELSE
          UPDATE free_range SET first_addr = r.first_addr + 1 WHERE id = r.id;
        END IF;
        RETURN r.first_addr;
      END $$;

      -- Locks the networks shared (management takes them exclusively), in id order, then checks
      -- the version the plan was made from. Returns the current version when it is stale.
      CREATE FUNCTION ipcd_lock_current(networks integer[], planned bigint) RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE n integer; cur bigint;
      BEGIN
        FOR n IN SELECT DISTINCT x FROM unnest(networks) x ORDER BY x LOOP
          PERFORM pg_advisory_xact_lock_shared(${0x1668}, n);
        END LOOP;
        SELECT version INTO cur FROM ipcd_config;
        RETURN CASE WHEN cur = planned THEN NULL ELSE cur END;
      END $$;

      -- Records the plan's UsernameToken nonce (if any); false when it was seen before: a replay.
      CREATE FUNCTION ipcd_use_nonce(p jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        IF p->'nonce' IS NULL THEN RETURN true; END IF;
        -- A few expired ones at a time, none another request holds: no queue on old rows.
        DELETE FROM ws_nonce WHERE ctid IN (
          SELECT ctid FROM ws_nonce WHERE seen_at < (p->'nonce'->>'cutoff')::timestamptz ORDER BY seen_at LIMIT 16 FOR UPDATE SKIP LOCKED);
        INSERT INTO ws_nonce (nonce) VALUES (p->'nonce'->>'key') ON CONFLICT DO NOTHING;
        RETURN FOUND;
      END $$;

      CREATE FUNCTION ipcd_commission(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
      DECLARE
        p_dc integer := (p->>'dataCenterId')::integer;
        p_vlan integer := (p->>'vlan')::integer;
        inst text := p->>'serverInstance';
        au jsonb := p->'audit';
        stale bigint;
        a allocation;
        c jsonb;
        nid integer;
        addr inet;
        nm text;
        cand text;
        fq text;
        rz integer;
        net network;
        dns integer := 0;
      BEGIN
        SELECT * INTO a FROM allocation WHERE requested_dc_id = p_dc AND requested_vlan = p_vlan AND server_instance = inst
          AND intent = p->>'intent' AND released_at IS NULL;
        IF FOUND THEN
          stale := ipcd_lock_current(ARRAY[a.network_id], (p->>'version')::bigint);
          IF stale IS NOT NULL THEN RETURN jsonb_build_object('status', 'STALE', 'version', stale); END IF;
          IF NOT ipcd_use_nonce(p) THEN RETURN jsonb_build_object('status', 'REPLAY'); END IF;
          -- Re-read under the lock: a split or merge may have moved it meanwhile.
          SELECT * INTO a FROM allocation WHERE id = a.id;
          SELECT * INTO net FROM network WHERE id = a.network_id;
          RETURN jsonb_build_object('status', 'EXISTING', 'allocation', to_jsonb(a), 'network', to_jsonb(net),
            'zone', (SELECT z.name FROM zone z WHERE z.id = a.zone_id));
        END IF;
        stale := ipcd_lock_current(ARRAY(SELECT (x.value->>'networkId')::integer FROM jsonb_array_elements(p->'candidates') AS x(value)), (p->>'version')::bigint);
        IF stale IS NOT NULL THEN RETURN jsonb_build_object('status', 'STALE', 'version', stale); END IF;
        IF NOT ipcd_use_nonce(p) THEN RETURN jsonb_build_object('status', 'REPLAY'); END IF;

        FOR c IN SELECT x.value FROM jsonb_array_elements(p->'candidates') AS x(value) LOOP
          nid := (c->>'networkId')::integer;
          addr := NULL;
          IF (p->>'wantAddress')::boolean THEN
            addr := ipcd_take_address(nid, (c->>'holdDown')::boolean);
            CONTINUE WHEN addr IS NULL;
          END IF;
          IF (c->>'noZone')::boolean THEN
            RAISE EXCEPTION 'network % has no default zone', nid USING ERRCODE = 'IPC02', DETAIL = nid::text;
          END IF;
          nm := NULL;
          IF c->'names' IS NOT NULL THEN
            -- One index probe per name (as a join, the planner chose a scan of every allocation).
            FOR cand IN SELECT x.n FROM jsonb_array_elements_text(c->'names') WITH ORDINALITY AS x(n, i) ORDER BY x.i LOOP
              IF NOT EXISTS (SELECT 1 FROM allocation o WHERE o.zone_id = (c->>'zoneId')::integer AND o.name = cand AND o.name_released_at IS NULL) THEN
                nm := cand;
                EXIT;
              END IF;
            END LOOP;
            IF nm IS NULL THEN
              RAISE EXCEPTION 'every name offered for zone % is in use', c->>'zoneId' USING ERRCODE = 'IPC01';
            END IF;
          END IF;
          INSERT INTO allocation (id, network_id, address, zone_id, name, server_instance, source, intent, requested_dc_id, requested_vlan, tenant_id)
            VALUES ((p->>'allocationId')::uuid, nid, addr, CASE WHEN nm IS NULL THEN NULL ELSE (c->>'zoneId')::integer END, nm, inst,
                    c->>'source', p->>'intent', p_dc, p_vlan, (c->>'tenantId')::integer)
            RETURNING * INTO a;
          SELECT * INTO net FROM network WHERE id = nid;
          fq := CASE WHEN nm IS NULL THEN NULL ELSE lower(nm || '.' || (c->>'zoneName')) END;
          IF addr IS NOT NULL AND nm IS NOT NULL THEN
            IF (c->>'forward')::boolean THEN
              INSERT INTO dns_outbox (allocation_id, zone_id, owner, action, rtype, rdata)
                VALUES (a.id, (c->>'zoneId')::integer, fq, 'add', CASE WHEN family(addr) = 4 THEN 'A' ELSE 'AAAA' END, host(addr));
              dns := dns + 1;
            END IF;
            SELECT x.id INTO rz FROM jsonb_to_recordset(coalesce(c->'reverse', '[]')) AS x(id integer, prefix cidr)
              WHERE x.prefix >>= addr ORDER BY masklen(x.prefix) DESC LIMIT 1;
            IF rz IS NOT NULL THEN
              INSERT INTO dns_outbox (allocation_id, reverse_zone_id, owner, action, rtype, rdata)
                VALUES (a.id, rz, ipcd_ptr_name(addr), 'add', 'PTR', fq);
              dns := dns + 1;
            END IF;
          END IF;
          INSERT INTO audit_log (actor, role, operation, object_type, object_id, tenant_id, data_center_id, server_instance, before, after, outcome, request_id)
            VALUES (au->>'actor', au->>'role', au->>'operation', 'allocation', a.id::text, (c->>'tenantId')::integer, p_dc, inst, NULL,
                    ipcd_fill(au->'after', jsonb_build_object('network', net.name, 'address', host(addr), 'fqdn', fq, 'source', c->'source')),
                    'ok', au->>'requestId');
          RETURN jsonb_build_object('status', 'ISSUED', 'allocation', to_jsonb(a), 'network', to_jsonb(net), 'zone', c->>'zoneName', 'dns', dns);
        END LOOP;
        RETURN jsonb_build_object('status', 'FULL');
      END $$;

      CREATE FUNCTION ipcd_decommission(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
      DECLARE
        p_dc integer := (p->>'dataCenterId')::integer;
        p_vlan integer := (p->>'vlan')::integer;
        wanted uuid := (p->>'allocationId')::uuid;
        au jsonb := p->'audit';
        cond text;
        nets integer[];
        stale bigint;
        a allocation;
        net network;
        rel_addr boolean;
        rel_name boolean;
        hold integer;
        fq text;
        released jsonb := '[]';
        matched integer := 0;
        dns integer := 0;
        n integer;
      BEGIN
        -- Only the criteria given, so that each one can drive its index (a generic "$n IS NULL OR"
        -- plan could not).
        cond := 'm.released_at IS NULL AND ((m.requested_dc_id = $1 AND m.requested_vlan = $2)'
             || ' OR m.network_id IN (SELECT n.id FROM network n WHERE n.data_center_id = $1 AND n.vlan = $2))';
        IF wanted IS NOT NULL THEN cond := cond || ' AND m.id = $3'; END IF;
        IF p ? 'address' THEN cond := cond || ' AND m.address = $4 AND m.address_released_at IS NULL'; END IF;
        IF p ? 'name' THEN
          cond := cond || ' AND m.name = $5 AND m.name_released_at IS NULL';
          IF p ? 'zone' THEN cond := cond || ' AND m.zone_id = (SELECT z.id FROM zone z WHERE z.name = $6)'; END IF;
        END IF;
        IF p ? 'serverInstance' THEN cond := cond || ' AND m.server_instance = $7'; END IF;
        -- The networks the matches live in are locked before anything is read for writing.
        EXECUTE 'SELECT array_agg(DISTINCT m.network_id) FROM allocation m WHERE ' || cond INTO nets
          USING p_dc, p_vlan, wanted, (p->>'address')::inet, p->>'name', p->>'zone', p->>'serverInstance';
        stale := ipcd_lock_current(coalesce(nets, '{}'), (p->>'version')::bigint);
        IF stale IS NOT NULL THEN RETURN jsonb_build_object('status', 'STALE', 'version', stale); END IF;
        IF NOT ipcd_use_nonce(p) THEN RETURN jsonb_build_object('status', 'REPLAY'); END IF;

        FOR a IN EXECUTE 'SELECT m.* FROM allocation m WHERE ' || cond || ' ORDER BY m.created_at, m.id FOR UPDATE OF m'
          USING p_dc, p_vlan, wanted, (p->>'address')::inet, p->>'name', p->>'zone', p->>'serverInstance'
        LOOP
          IF NOT a.network_id = ANY(coalesce(nets, '{}')) THEN
            -- Moved into a network that was not locked (a split committed meanwhile): plan again.
            RAISE EXCEPTION 'allocation % moved while it was released', a.id USING ERRCODE = '40001';
          END IF;
          matched := matched + 1;
          rel_addr := (p->>'releaseAddress')::boolean AND a.address IS NOT NULL AND a.address_released_at IS NULL;
          rel_name := (p->>'releaseName')::boolean AND a.name IS NOT NULL AND a.name_released_at IS NULL;
          CONTINUE WHEN NOT rel_addr AND NOT rel_name;
          SELECT * INTO net FROM network WHERE id = a.network_id;
          IF rel_addr THEN
            hold := coalesce((p->'holdDown'->>(a.network_id::text))::integer, 0);
            IF hold > 0 THEN
              INSERT INTO held_address (network_id, address, until) VALUES (a.network_id, a.address, now() + hold * interval '1 second');
            ELSE
              INSERT INTO free_range (network_id, first_addr, last_addr) VALUES (a.network_id, a.address, a.address);
            END IF;
          END IF;
          UPDATE allocation SET
            address_released_at = CASE WHEN rel_addr THEN now() ELSE address_released_at END,
            name_released_at = CASE WHEN rel_name THEN now() ELSE name_released_at END,
            released_at = CASE WHEN (address IS NULL OR rel_addr OR address_released_at IS NOT NULL)
                                AND (name IS NULL OR rel_name OR name_released_at IS NOT NULL) THEN now() END,
            release_reason = CASE WHEN (address IS NULL OR rel_addr OR address_released_at IS NOT NULL)
                                AND (name IS NULL OR rel_name OR name_released_at IS NOT NULL) THEN p->>'reason' END
            WHERE id = a.id;
          -- Either part gone takes its published records with it.
          INSERT INTO dns_outbox (allocation_id, zone_id, reverse_zone_id, owner, action, rtype, rdata)
            SELECT l.allocation_id, l.zone_id, l.reverse_zone_id, l.owner, 'delete', l.rtype, l.rdata FROM (
              SELECT DISTINCT ON (d.owner, d.rtype) d.allocation_id, d.zone_id, d.reverse_zone_id, d.owner, d.rtype, d.rdata, d.action, d.id
              FROM dns_outbox d WHERE d.allocation_id = a.id ORDER BY d.owner, d.rtype, d.id DESC) l
            WHERE l.action = 'add' ORDER BY l.id;
          GET DIAGNOSTICS n = ROW_COUNT;
          dns := dns + n;
          fq := CASE WHEN rel_name THEN (SELECT a.name || '.' || z.name FROM zone z WHERE z.id = a.zone_id) END;
          INSERT INTO audit_log (actor, role, operation, object_type, object_id, tenant_id, data_center_id, server_instance, before, after, outcome, request_id)
            VALUES (au->>'actor', au->>'role', au->>'operation', 'allocation', a.id::text, coalesce(a.tenant_id, net.tenant_id), p_dc, a.server_instance,
                    ipcd_fill(au->'before', jsonb_build_object('network', net.name,
                      'address', CASE WHEN a.address_released_at IS NULL THEN host(a.address) END,
                      'name', CASE WHEN a.name_released_at IS NULL THEN a.name END)),
                    ipcd_fill(au->'after', jsonb_build_object('releasedAddress', CASE WHEN rel_addr THEN host(a.address) END, 'releasedFqdn', fq)),
                    'ok', au->>'requestId');
          released := released || jsonb_build_array(jsonb_build_object('allocationId', a.id, 'network', net.name, 'networkId', net.id, 'serverInstance', a.server_instance,
                   'address', CASE WHEN rel_addr THEN host(a.address) END, 'fqdn', fq));
        END LOOP;
        IF matched = 0 AND wanted IS NOT NULL
           AND EXISTS (SELECT 1 FROM allocation x WHERE x.id = wanted AND x.requested_dc_id = p_dc AND x.requested_vlan = p_vlan) THEN
          RETURN jsonb_build_object('status', 'ALREADY_RELEASED');
        END IF;
        RETURN jsonb_build_object('status', 'OK', 'matched', matched, 'released', released, 'dns', dns);
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION ipcd_decommission(jsonb), ipcd_commission(jsonb), ipcd_use_nonce(jsonb), ipcd_lock_current(integer[], bigint),
        ipcd_take_address(integer, boolean), ipcd_fill(jsonb, jsonb), ipcd_ptr_name(inet);
      DROP TRIGGER data_center_config ON data_center; DROP TRIGGER tenant_config ON tenant; DROP TRIGGER network_config ON network;
      DROP TRIGGER reverse_zone_config ON reverse_zone; DROP TRIGGER app_user_config ON app_user; DROP TRIGGER user_grant_config ON user_grant;
      DROP TRIGGER zone_config ON zone; DROP TRIGGER zone_config_edit ON zone;
      DROP FUNCTION ipcd_config_changed();
      DROP TABLE ipcd_config;
    `);
  }
}
