-- Routing (docs/routing.md): who reads which case. Ids, rule names and hour-granular times only;
-- nothing a survivor typed. Regions and organisations are lists admins keep, so a survivor's
-- routing choices are ids from them. Advocates are identified by a uuid (accounts.users(id) once
-- that table exists; the foreign keys are added by a later migration, not here).

CREATE TABLE intake.routing_regions (
    id       text PRIMARY KEY CHECK (id ~ '^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$'),
    name_en  text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
    name_zh  text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
    active   boolean NOT NULL DEFAULT true
);

CREATE TABLE intake.routing_organisations (
    id       text PRIMARY KEY CHECK (id ~ '^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$'),
    name_en  text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
    name_zh  text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
    active   boolean NOT NULL DEFAULT true
);

-- An advocate's routing profile. Empty regions: she takes cases from every region. The store
-- checks that every channel, region and organisation id exists before it writes.
CREATE TABLE intake.advocate_profiles (
    advocate_id   uuid PRIMARY KEY,
    active        boolean NOT NULL DEFAULT true,
    capacity      integer NOT NULL CHECK (capacity BETWEEN 0 AND 10000),
    channels      text[] NOT NULL DEFAULT '{}',
    languages     text[] NOT NULL DEFAULT '{}' CHECK (languages <@ ARRAY['zh', 'en']::text[]),
    regions       text[] NOT NULL DEFAULT '{}',
    affiliations  text[] NOT NULL DEFAULT '{}',
    -- Where content-free notices go by e-mail, if she wants them (optional). To move to
    -- accounts.users once that table exists.
    notify_email  text CHECK (notify_email IS NULL OR (length(notify_email) BETWEEN 3 AND 254 AND notify_email LIKE '%_@_%')),
    updated_on    date NOT NULL DEFAULT current_date
);

-- The survivor's routing hints, kept so a case can be routed again after a crash or a reassignment.
CREATE TABLE intake.case_routing (
    case_id                 uuid PRIMARY KEY REFERENCES intake.cases (id) DEFERRABLE INITIALLY DEFERRED,
    language                text CHECK (language IN ('zh', 'en')),
    region_id               text REFERENCES intake.routing_regions (id),
    excluded_organisations  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(excluded_organisations) <= 20)
);

CREATE TABLE intake.case_assignments (
    id            uuid PRIMARY KEY,
    case_id       uuid NOT NULL REFERENCES intake.cases (id) DEFERRABLE INITIALLY DEFERRED,
    advocate_id   uuid NOT NULL,
    assigned_seq  bigint NOT NULL REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED,
    assigned_at   timestamptz NOT NULL CHECK (assigned_at = date_trunc('hour', assigned_at)),
    opened_at     timestamptz CHECK (opened_at = date_trunc('hour', opened_at)),
    ended_at      timestamptz CHECK (ended_at = date_trunc('hour', ended_at)),
    end_reason    text CHECK (end_reason IN ('not_opened', 'handed_over', 'suspended', 'closed')),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
-- One active assignee per case: the last line of defence against a duplicate delivery.
CREATE UNIQUE INDEX case_assignments_one_active ON intake.case_assignments (case_id) WHERE ended_at IS NULL;
CREATE INDEX case_assignments_open_by_advocate ON intake.case_assignments (advocate_id) WHERE ended_at IS NULL;
CREATE INDEX case_assignments_by_advocate_seq ON intake.case_assignments (advocate_id, assigned_seq);
CREATE INDEX case_assignments_by_case ON intake.case_assignments (case_id);

-- Which rules removed whom when a case was routed (advocate ids and rule names only), for admins.
CREATE TABLE intake.routing_decisions (
    case_id      uuid NOT NULL REFERENCES intake.cases (id) DEFERRABLE INITIALLY DEFERRED,
    decided_seq  bigint REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED,
    decided_at   timestamptz NOT NULL CHECK (decided_at = date_trunc('hour', decided_at)),
    advocate_id  uuid,
    chosen_by    text,
    waiting_reason text,
    steps        jsonb NOT NULL
);
CREATE INDEX routing_decisions_by_case ON intake.routing_decisions (case_id);

-- Cases nobody is eligible for. Visible to admins; retried by the reconciler; never dropped.
CREATE TABLE intake.routing_waiting (
    case_id   uuid PRIMARY KEY REFERENCES intake.cases (id) DEFERRABLE INITIALLY DEFERRED,
    reason    text NOT NULL CHECK (reason ~ '^[a-z_]{1,40}$'),
    since     timestamptz NOT NULL CHECK (since = date_trunc('hour', since)),
    attempts  integer NOT NULL DEFAULT 1 CHECK (attempts >= 1)
);

-- Content-free notices in the staff workspace, for one advocate or for all admins.
CREATE TABLE intake.staff_notifications (
    id          uuid PRIMARY KEY,
    recipient   uuid,
    audience    text CHECK (audience IN ('admins')),
    kind        text NOT NULL CHECK (kind IN ('case_assigned', 'case_taken_back', 'follow_up', 'case_waiting', 'routing_fault')),
    case_id     uuid,
    -- What the notice is about (an assignment, a fault message): a repeated message writes no second notice.
    source_id   uuid NOT NULL,
    created_at  timestamptz NOT NULL CHECK (created_at = date_trunc('hour', created_at)),
    read        boolean NOT NULL DEFAULT false,
    emailed     boolean NOT NULL DEFAULT false,
    CHECK ((recipient IS NULL) <> (audience IS NULL))
);
CREATE UNIQUE INDEX staff_notifications_once ON intake.staff_notifications (kind, source_id, coalesce(recipient, '00000000-0000-0000-0000-000000000000'::uuid));
CREATE INDEX staff_notifications_unread ON intake.staff_notifications (recipient) WHERE NOT read;
CREATE INDEX staff_notifications_by_case ON intake.staff_notifications (case_id) WHERE case_id IS NOT NULL;

-- Routing messages that failed every retry and went to an error queue: what admins see until they
-- resolve them (the messages themselves stay in RabbitMQ's *_error queues).
CREATE TABLE intake.routing_faults (
    message_id      uuid PRIMARY KEY,
    message_type    text NOT NULL CHECK (length(message_type) BETWEEN 1 AND 200),
    case_id         uuid,
    exception_type  text NOT NULL CHECK (length(exception_type) BETWEEN 1 AND 200),
    failed_at       timestamptz NOT NULL CHECK (failed_at = date_trunc('hour', failed_at)),
    resolved        boolean NOT NULL DEFAULT false
);

GRANT SELECT, INSERT, UPDATE ON intake.routing_regions, intake.routing_organisations, intake.advocate_profiles TO intake_app;
GRANT SELECT, INSERT ON intake.case_routing, intake.routing_decisions TO intake_app;
GRANT SELECT, INSERT ON intake.case_assignments TO intake_app;
GRANT UPDATE (opened_at, ended_at, end_reason) ON intake.case_assignments TO intake_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON intake.routing_waiting TO intake_app;
GRANT SELECT, INSERT ON intake.staff_notifications, intake.routing_faults TO intake_app;
GRANT UPDATE (read, emailed) ON intake.staff_notifications TO intake_app;
GRANT UPDATE (resolved) ON intake.routing_faults TO intake_app;

-- The purge of a case (0004) now also removes every routing row of it: assignments, hints,
-- decisions, the waiting row, notifications and faults. The ledger keeps its assignment entries
-- (a random case id, advocate ids, rule names), which is what an audit needs.
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
    DELETE FROM intake.cases WHERE id = target;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION intake.purge_case(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.purge_case(uuid) TO intake_purger;
