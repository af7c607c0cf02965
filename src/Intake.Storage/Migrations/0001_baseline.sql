-- Baseline: the intake schema and what each database role may do in it.
-- The roles themselves (intake_migrator, intake_app, intake_purger) are cluster-wide and are
-- created before migrations run, by scripts/lib/services.sh in development and by
-- deploy/debian/install.sh in production. This file runs as intake_migrator, which owns
-- every object, so neither the app nor the purger can change the schema.

CREATE SCHEMA IF NOT EXISTS intake;

-- Nobody but the owner creates objects anywhere in this database.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA intake FROM PUBLIC;

GRANT USAGE ON SCHEMA intake TO intake_app, intake_purger;

-- Later migrations grant table rights one table at a time: ledger tables get SELECT and INSERT
-- for the app and nothing more, so append-only is enforced by the database, not by the code.

-- One row that identifies this database as an Intake store and says when it was created.
-- Coarse on purpose: nothing in the store carries a time finer than the day it needs.
CREATE TABLE intake.store_info (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    store_id    uuid NOT NULL,
    created_on  date NOT NULL DEFAULT current_date
);
INSERT INTO intake.store_info (store_id) VALUES (gen_random_uuid());
GRANT SELECT ON intake.store_info TO intake_app, intake_purger;
