-- The scheduled purge (docs/retention.md §5): Quartz.NET's clustered job store, a period the
-- survivor may choose herself, postponements by the assigned advocate, and the reminders that
-- precede a purge.

-- A period the survivor chose at submission: her case is kept at most this many days, counting the
-- day it was received, whatever its policy or a hold says (her choice wins, as her withdrawal
-- does). Set once, with the case; the submission's ledger entry records it, and the app role
-- cannot change it afterwards.
ALTER TABLE intake.cases ADD COLUMN keep_days integer CHECK (keep_days IS NULL OR keep_days BETWEEN 1 AND 3650);

-- A purge the job has begun. Written under a lock on the case row together with the check that
-- the case is due, so that a hold, a request or a postponement either comes first (and the case is
-- no longer due) or is refused; from then on the case is due at once until it is gone, so a purge
-- cut short is always finished, even if the case's day would otherwise have moved.
CREATE TABLE intake.case_purges (
    case_id     uuid PRIMARY KEY REFERENCES intake.cases (id) DEFERRABLE INITIALLY DEFERRED,
    started_on  date NOT NULL
);

-- The assigned advocate may keep a case a little longer when its purge day comes near. The
-- latest postponement of a case replaces the one before. The reason is staff text about the
-- case: the ledger entry holds its SHA-256, the text lives here and goes with the case.
CREATE TABLE intake.retention_postponements (
    case_id       uuid PRIMARY KEY REFERENCES intake.cases (id) DEFERRABLE INITIALLY DEFERRED,
    keep_until    date NOT NULL,
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    postponed_by  uuid NOT NULL,
    seq           bigint NOT NULL REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED
);

-- One reminder per case, purge day and advocate: the job records that it told her, so a second
-- worker or a second run does not tell her again. A new purge day (activity, a hold, a
-- postponement) or a new assignee gets a reminder of its own.
CREATE TABLE intake.retention_reminders (
    case_id      uuid NOT NULL REFERENCES intake.cases (id) DEFERRABLE INITIALLY DEFERRED,
    purge_on     date NOT NULL,
    advocate_id  uuid NOT NULL,
    sent_on      date NOT NULL,
    PRIMARY KEY (case_id, purge_on, advocate_id)
);

-- The view gains three columns at its end (existing ones keep their order and meaning):
-- postponed_until, survivor_until (the last day of her own period: the case is purged on it, so
-- it is never kept longer than she allowed) and purge_on, the first day the purge job may purge
-- the case: the policy day, moved later by an active hold or a postponement, never later than
-- her own period; at once for a withdrawn case and for one whose purge has begun (a marker or a
-- tombstone), so that a purge cut short is always finished.
CREATE OR REPLACE VIEW intake.case_retention AS
SELECT c.id, c.channel, c.status, c.opened_on, a.last_activity_on, r.ever_read, p.policy_channel,
       CASE WHEN c.status = 'withdrawn' THEN c.opened_on
            WHEN c.status = 'closed' THEN a.last_activity_on + p.closed_days
            WHEN NOT r.ever_read THEN a.last_activity_on + p.unread_days
            ELSE a.last_activity_on + p.open_days END AS due_on,
       h.expires_on AS held_until,
       pp.keep_until AS postponed_until,
       c.opened_on + c.keep_days - 1 AS survivor_until,
       CASE WHEN c.status = 'withdrawn'
              OR EXISTS (SELECT 1 FROM intake.case_purges x WHERE x.case_id = c.id)
              OR EXISTS (SELECT 1 FROM intake.ledger_entries t WHERE t.case_id = c.id AND t.kind = 10) THEN c.opened_on
            ELSE least(c.opened_on + c.keep_days - 1,
                       greatest(CASE WHEN c.status = 'closed' THEN a.last_activity_on + p.closed_days
                                     WHEN NOT r.ever_read THEN a.last_activity_on + p.unread_days
                                     ELSE a.last_activity_on + p.open_days END,
                                h.expires_on + 1, pp.keep_until + 1)) END AS purge_on
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
LEFT JOIN intake.legal_holds h ON h.case_id = c.id AND h.status = 'active'
LEFT JOIN intake.retention_postponements pp ON pp.case_id = c.id;

-- The reminder reaches the assigned advocate as a staff notice.
ALTER TABLE intake.staff_notifications DROP CONSTRAINT staff_notifications_kind_check;
ALTER TABLE intake.staff_notifications ADD CONSTRAINT staff_notifications_kind_check
    CHECK (kind IN ('case_assigned', 'case_taken_back', 'follow_up', 'case_waiting', 'routing_fault', 'retention_reminder'));

-- A purge finds a case's uploads and holds by case: without these indexes every purged case (and
-- the foreign-key check of its deleted row) would read the whole table.
CREATE INDEX uploads_by_case ON intake.uploads (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX legal_holds_by_case ON intake.legal_holds (case_id);

-- No DELETE for the app: a postponement ends with its case (purge_case) or is replaced by the next.
GRANT SELECT, INSERT, UPDATE ON intake.retention_postponements TO intake_app;
GRANT SELECT, INSERT ON intake.retention_reminders, intake.case_purges TO intake_app;

-- The purge of a case removes its postponement and reminders too.
-- The refusal no longer names the case: the server log is no place for case ids.
CREATE OR REPLACE FUNCTION intake.purge_case(target uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT intake.case_purge_recorded(target) THEN
        RAISE EXCEPTION 'a case has ciphertext without a purge tombstone: append the tombstones first'
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
    DELETE FROM intake.retention_postponements WHERE case_id = target;
    DELETE FROM intake.retention_reminders WHERE case_id = target;
    DELETE FROM intake.case_purges WHERE case_id = target;
    DELETE FROM intake.cases WHERE id = target;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION intake.purge_case(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.purge_case(uuid) TO intake_purger;

-- Quartz.NET's job store (AdoJobStore with PostgreSQLDelegate, clustered), in a schema of its
-- own. Column names and types are the ones Quartz.NET 3.x reads and writes; the app role uses
-- them, nobody else. Times are Quartz's own ticks; job data is a small JSON map of strings.
CREATE SCHEMA quartz;
REVOKE ALL ON SCHEMA quartz FROM PUBLIC;
GRANT USAGE ON SCHEMA quartz TO intake_app;

CREATE TABLE quartz.qrtz_job_details (
    sched_name         text NOT NULL,
    job_name           text NOT NULL,
    job_group          text NOT NULL,
    description        text,
    job_class_name     text NOT NULL,
    is_durable         boolean NOT NULL,
    is_nonconcurrent   boolean NOT NULL,
    is_update_data     boolean NOT NULL,
    requests_recovery  boolean NOT NULL,
    job_data           bytea,
    PRIMARY KEY (sched_name, job_name, job_group)
);

CREATE TABLE quartz.qrtz_triggers (
    sched_name      text NOT NULL,
    trigger_name    text NOT NULL,
    trigger_group   text NOT NULL,
    job_name        text NOT NULL,
    job_group       text NOT NULL,
    description     text,
    next_fire_time  bigint,
    prev_fire_time  bigint,
    priority        integer,
    trigger_state   text NOT NULL,
    trigger_type    text NOT NULL,
    start_time      bigint NOT NULL,
    end_time        bigint,
    calendar_name   text,
    misfire_instr   smallint,
    job_data        bytea,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, job_name, job_group) REFERENCES quartz.qrtz_job_details (sched_name, job_name, job_group)
);

CREATE TABLE quartz.qrtz_simple_triggers (
    sched_name       text NOT NULL,
    trigger_name     text NOT NULL,
    trigger_group    text NOT NULL,
    repeat_count     bigint NOT NULL,
    repeat_interval  bigint NOT NULL,
    times_triggered  bigint NOT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES quartz.qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE quartz.qrtz_simprop_triggers (
    sched_name     text NOT NULL,
    trigger_name   text NOT NULL,
    trigger_group  text NOT NULL,
    str_prop_1     text,
    str_prop_2     text,
    str_prop_3     text,
    int_prop_1     integer,
    int_prop_2     integer,
    long_prop_1    bigint,
    long_prop_2    bigint,
    dec_prop_1     numeric,
    dec_prop_2     numeric,
    bool_prop_1    boolean,
    bool_prop_2    boolean,
    time_zone_id   text,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES quartz.qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE quartz.qrtz_cron_triggers (
    sched_name       text NOT NULL,
    trigger_name     text NOT NULL,
    trigger_group    text NOT NULL,
    cron_expression  text NOT NULL,
    time_zone_id     text,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES quartz.qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE quartz.qrtz_blob_triggers (
    sched_name     text NOT NULL,
    trigger_name   text NOT NULL,
    trigger_group  text NOT NULL,
    blob_data      bytea,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES quartz.qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE quartz.qrtz_calendars (
    sched_name     text NOT NULL,
    calendar_name  text NOT NULL,
    calendar       bytea NOT NULL,
    PRIMARY KEY (sched_name, calendar_name)
);

CREATE TABLE quartz.qrtz_paused_trigger_grps (
    sched_name     text NOT NULL,
    trigger_group  text NOT NULL,
    PRIMARY KEY (sched_name, trigger_group)
);

CREATE TABLE quartz.qrtz_fired_triggers (
    sched_name         text NOT NULL,
    entry_id           text NOT NULL,
    trigger_name       text NOT NULL,
    trigger_group      text NOT NULL,
    instance_name      text NOT NULL,
    fired_time         bigint NOT NULL,
    sched_time         bigint NOT NULL,
    priority           integer NOT NULL,
    state              text NOT NULL,
    job_name           text,
    job_group          text,
    is_nonconcurrent   boolean,
    requests_recovery  boolean,
    PRIMARY KEY (sched_name, entry_id)
);

CREATE TABLE quartz.qrtz_scheduler_state (
    sched_name         text NOT NULL,
    instance_name      text NOT NULL,
    last_checkin_time  bigint NOT NULL,
    checkin_interval   bigint NOT NULL,
    PRIMARY KEY (sched_name, instance_name)
);

CREATE TABLE quartz.qrtz_locks (
    sched_name  text NOT NULL,
    lock_name   text NOT NULL,
    PRIMARY KEY (sched_name, lock_name)
);

CREATE INDEX qrtz_t_next_fire ON quartz.qrtz_triggers (sched_name, trigger_state, next_fire_time);
CREATE INDEX qrtz_t_job ON quartz.qrtz_triggers (sched_name, job_name, job_group);
CREATE INDEX qrtz_ft_instance ON quartz.qrtz_fired_triggers (sched_name, instance_name);
CREATE INDEX qrtz_ft_trigger ON quartz.qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
CREATE INDEX qrtz_ft_job ON quartz.qrtz_fired_triggers (sched_name, job_name, job_group);

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA quartz TO intake_app;
