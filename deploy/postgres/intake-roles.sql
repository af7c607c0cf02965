-- Intake's three database roles (docs/architecture.md, "Database roles"): intake_migrator owns
-- the schema and runs `intake migrate`; intake_app reads and inserts and never updates or deletes
-- ledger rows; intake_purger is the only one that may crypto-shred. Run as a superuser with psql:
--   psql -f - with "\set migrator PASSWORD", "\set app …" and "\set purger …" lines before this file on
--   standard input (so that no password appears on a command line)
-- It creates the roles that are missing and sets all three passwords, so running it again is safe
-- and rotates the passwords. The grants on tables come with the migrations, not from here.
\set ON_ERROR_STOP on
SELECT format('CREATE ROLE %I LOGIN', name)
  FROM unnest(ARRAY['intake_migrator', 'intake_app', 'intake_purger']) AS name
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec
ALTER ROLE intake_migrator PASSWORD :'migrator';
ALTER ROLE intake_app PASSWORD :'app';
ALTER ROLE intake_purger PASSWORD :'purger';
SELECT 'CREATE DATABASE intake OWNER intake_migrator'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'intake') \gexec
