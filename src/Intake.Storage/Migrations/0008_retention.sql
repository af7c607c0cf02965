-- Retention policies and legal holds (docs/retention.md).
--
-- A policy says how many days a case is kept, by what has happened to it: never read by an
-- advocate, open (read, not closed), or closed. The row without a channel is the default; a
-- channel may override it. Every change is a ledger entry (kind 8, AdminAction).
--
-- A legal hold keeps one case past its purge day: an advocate requests it with a reason, an
-- admin approves it, it expires. Every step is a ledger entry (kind 9, LegalHold). The reason is
-- staff text, not testimony, and it lives only here (the ledger holds its hash), so the purge of
-- the case removes it.

CREATE TABLE intake.retention_policies (
    channel      text UNIQUE NULLS NOT DISTINCT REFERENCES intake.channels (id),
    unread_days  integer NOT NULL CHECK (unread_days BETWEEN 1 AND 3650),
    open_days    integer NOT NULL CHECK (open_days BETWEEN 1 AND 3650),
    closed_days  integer NOT NULL CHECK (closed_days BETWEEN 1 AND 3650),
    changed_seq  bigint REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED
);
-- The default (docs/retention.md says why these numbers). It is changed, never removed.
INSERT INTO intake.retention_policies (channel, unread_days, open_days, closed_days) VALUES (NULL, 90, 365, 30);

CREATE FUNCTION intake.default_policy_stays() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.channel IS NULL THEN
        RAISE EXCEPTION 'the default retention policy is changed, never removed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER default_policy_stays BEFORE DELETE ON intake.retention_policies
    FOR EACH ROW EXECUTE FUNCTION intake.default_policy_stays();

CREATE TABLE intake.legal_holds (
    id             uuid PRIMARY KEY,
    case_id        uuid NOT NULL REFERENCES intake.cases (id) DEFERRABLE INITIALLY DEFERRED,
    status         text NOT NULL CHECK (status IN ('requested', 'active', 'refused', 'released', 'expired')),
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    days           integer NOT NULL CHECK (days BETWEEN 1 AND 365),
    requested_by   uuid NOT NULL,
    requested_seq  bigint NOT NULL REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED,
    requested_on   date NOT NULL,
    decided_by     uuid,
    decided_seq    bigint REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED,
    expires_on     date,
    ended_seq      bigint REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED,
    CHECK ((status = 'requested') = (decided_seq IS NULL)),
    CHECK ((status IN ('active', 'released', 'expired')) = (expires_on IS NOT NULL)),
    CHECK ((status IN ('released', 'expired')) = (ended_seq IS NOT NULL))
);
CREATE UNIQUE INDEX legal_holds_one_request ON intake.legal_holds (case_id) WHERE status = 'requested';
CREATE UNIQUE INDEX legal_holds_one_active ON intake.legal_holds (case_id) WHERE status = 'active';

-- When each case falls due, by its channel's policy (or the default). Activity is the day of
-- the case's latest submission, follow-up, reply, note or status change in the ledger; reading
-- a case is not activity. "Read" means an advocate has opened it at least once. A withdrawn
-- case is due at once (it is normally gone already; this finishes a purge a crash cut short).
-- held_until is the expiry of an approved hold: the case is kept while it is today or later.
CREATE VIEW intake.case_retention AS
SELECT c.id, c.channel, c.status, c.opened_on, a.last_activity_on, r.ever_read, p.policy_channel,
       CASE WHEN c.status = 'withdrawn' THEN c.opened_on
            WHEN c.status = 'closed' THEN a.last_activity_on + p.closed_days
            WHEN NOT r.ever_read THEN a.last_activity_on + p.unread_days
            ELSE a.last_activity_on + p.open_days END AS due_on,
       h.expires_on AS held_until
FROM intake.cases c
CROSS JOIN LATERAL (
    SELECT coalesce(max(e.entry_day), c.opened_on) AS last_activity_on
    FROM intake.ledger_entries e WHERE e.case_id = c.id AND e.kind IN (1, 2, 3, 4, 5)) a
CROSS JOIN LATERAL (
    SELECT EXISTS (SELECT 1 FROM intake.case_assignments x WHERE x.case_id = c.id AND x.opened_at IS NOT NULL) AS ever_read) r
CROSS JOIN LATERAL (
    SELECT rp.channel AS policy_channel, rp.unread_days, rp.open_days, rp.closed_days
    FROM intake.retention_policies rp WHERE rp.channel = c.channel OR rp.channel IS NULL
    ORDER BY rp.channel NULLS LAST LIMIT 1) p
LEFT JOIN intake.legal_holds h ON h.case_id = c.id AND h.status = 'active';

-- Not UPDATE of channel: giving the default row a channel would remove the default as surely as a DELETE.
GRANT SELECT, INSERT, DELETE ON intake.retention_policies TO intake_app;
GRANT UPDATE (unread_days, open_days, closed_days, changed_seq) ON intake.retention_policies TO intake_app;
GRANT SELECT, INSERT ON intake.legal_holds TO intake_app;
GRANT UPDATE (status, decided_by, decided_seq, expires_on, ended_seq) ON intake.legal_holds TO intake_app;
GRANT SELECT ON intake.case_retention TO intake_app, intake_purger;
GRANT SELECT ON intake.retention_policies, intake.legal_holds TO intake_purger;

-- The purge of a case now also removes its holds: the ledger keeps each step (who, when, the
-- reason's hash), the reason itself goes with the case.
CREATE OR REPLACE FUNCTION intake.purge_case(target uuid) RETURNS boolean
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
    DELETE FROM intake.case_assignments WHERE case_id = target;
    DELETE FROM intake.case_routing WHERE case_id = target;
    DELETE FROM intake.routing_decisions WHERE case_id = target;
    DELETE FROM intake.routing_waiting WHERE case_id = target;
    DELETE FROM intake.staff_notifications WHERE case_id = target;
    DELETE FROM intake.routing_faults WHERE case_id = target;
    DELETE FROM intake.legal_holds WHERE case_id = target;
    DELETE FROM intake.cases WHERE id = target;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION intake.purge_case(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.purge_case(uuid) TO intake_purger;
