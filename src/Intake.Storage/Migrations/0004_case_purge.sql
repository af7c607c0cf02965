-- Withdrawal and purge of a whole case. As with ledger payloads, ciphertext leaves the database
-- only after the ledger records it: every entry of the case that carried ciphertext must have a
-- purge tombstone first. Then intake.purge_case() removes the streams, the survivor's vault and
-- the case row itself, so her receipt no longer leads anywhere. The ledger keeps the leaves and
-- the tombstones (a random case id, hashes, days), which is what an audit needs.

-- True when every ciphertext-carrying entry of the case has a tombstone (and there is at least one).
CREATE FUNCTION intake.case_purge_recorded(target uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM intake.ledger_entries WHERE case_id = target AND kind = 10)
       AND NOT EXISTS (
           SELECT 1 FROM intake.ledger_entries e
           WHERE e.case_id = target AND e.payload_hash IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM intake.ledger_entries t WHERE t.purged_seq = e.seq))
$$;

CREATE OR REPLACE FUNCTION intake.claimed_upload_is_sealed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owner_case uuid;
BEGIN
    IF TG_TABLE_NAME = 'upload_parts' AND TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM intake.uploads WHERE id = NEW.upload_id AND case_id IS NOT NULL) THEN
            RAISE EXCEPTION 'upload % belongs to a case and takes no more parts', NEW.upload_id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'uploads' THEN
        owner_case := OLD.case_id;
    ELSE
        SELECT case_id INTO owner_case FROM intake.uploads WHERE id = OLD.upload_id;
    END IF;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'uploads' AND owner_case IS NULL THEN
        RETURN NEW; -- an open upload grows
    END IF;
    IF TG_OP = 'DELETE' AND (owner_case IS NULL OR intake.case_purge_recorded(owner_case)) THEN
        RETURN OLD; -- an abandoned upload, or a case whose purge is recorded
    END IF;
    RAISE EXCEPTION 'intake.%: % refused (claimed uploads change only through a recorded purge)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER sealed_once_claimed ON intake.upload_parts;
CREATE TRIGGER sealed_once_claimed BEFORE INSERT OR UPDATE OR DELETE ON intake.upload_parts
    FOR EACH ROW EXECUTE FUNCTION intake.claimed_upload_is_sealed();

CREATE FUNCTION intake.purge_case(target uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT intake.case_purge_recorded(target) THEN
        RAISE EXCEPTION 'case % has ciphertext without a purge tombstone: append the tombstones first', target
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM intake.purge_payload(t.purged_seq) FROM intake.ledger_entries t WHERE t.case_id = target AND t.kind = 10;
    DELETE FROM intake.upload_parts WHERE upload_id IN (SELECT id FROM intake.uploads WHERE case_id = target);
    DELETE FROM intake.uploads WHERE case_id = target;
    DELETE FROM intake.case_vaults WHERE case_id = target;
    DELETE FROM intake.cases WHERE id = target;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION intake.purge_case(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.purge_case(uuid) TO intake_purger;
