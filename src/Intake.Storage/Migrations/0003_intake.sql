-- Survivor intake: channels and their key directory, encrypted stream uploads, and cases.
-- Nothing here is plaintext: streams are ciphertext, the vault is sealed under a key only the
-- survivor's receipt derives, and lookup ids are one-way derivations of receipts (docs/crypto.md §7).

CREATE TABLE intake.channels (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$'),
    name_en     text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
    name_zh     text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
    active      boolean NOT NULL DEFAULT true,
    created_on  date NOT NULL DEFAULT current_date
);

-- The key directory: the advocate public keys that new testimony in a channel is sealed to.
-- Every change is a ledger entry (kind 7), referenced here.
CREATE TABLE intake.channel_keys (
    channel      text NOT NULL REFERENCES intake.channels (id),
    key_id       bytea NOT NULL CHECK (length(key_id) = 16),
    public_key   bytea NOT NULL CHECK (length(public_key) = 65 AND get_byte(public_key, 0) = 4),
    added_seq    bigint NOT NULL REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED,
    revoked_seq  bigint REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (channel, key_id)
);

-- An encrypted stream (docs/crypto.md §5.3) arrives in numbered parts before the submission
-- that lists it, so a dropped connection resumes instead of starting over.
CREATE TABLE intake.uploads (
    id               uuid PRIMARY KEY,
    header           bytea NOT NULL CHECK (length(header) = 30),
    total_length     bigint NOT NULL CHECK (total_length > 30),
    received_length  bigint NOT NULL DEFAULT 0 CHECK (received_length BETWEEN 0 AND total_length),
    next_part        integer NOT NULL DEFAULT 0 CHECK (next_part >= 0),
    case_id          uuid,
    created_on       date NOT NULL DEFAULT current_date
);
CREATE TABLE intake.upload_parts (
    upload_id  uuid NOT NULL REFERENCES intake.uploads (id),
    part       integer NOT NULL CHECK (part >= 0),
    bytes      bytea NOT NULL CHECK (length(bytes) BETWEEN 1 AND 1048576),
    PRIMARY KEY (upload_id, part)
);
ALTER TABLE intake.upload_parts ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- Once a submission has claimed an upload, its bytes are part of the ledger's commitment:
-- no more parts, no changes, and removal only by a purge.
CREATE FUNCTION intake.claimed_upload_is_sealed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'uploads' THEN
        IF OLD.case_id IS NOT NULL AND (TG_OP = 'DELETE' OR NEW IS DISTINCT FROM OLD) THEN
            RAISE EXCEPTION 'upload % belongs to a case and cannot change', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM intake.uploads WHERE id = NEW.upload_id AND case_id IS NOT NULL) THEN
            RAISE EXCEPTION 'upload % belongs to a case and takes no more parts', NEW.upload_id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'upload parts are never changed' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER sealed_once_claimed BEFORE UPDATE OR DELETE ON intake.uploads
    FOR EACH ROW EXECUTE FUNCTION intake.claimed_upload_is_sealed();
CREATE TRIGGER sealed_once_claimed BEFORE INSERT OR UPDATE ON intake.upload_parts
    FOR EACH ROW EXECUTE FUNCTION intake.claimed_upload_is_sealed();

-- A case: one survivor's submission and what follows it. Found only by the lookup id her
-- receipt derives; the receipt itself never reaches the server.
CREATE TABLE intake.cases (
    id              uuid PRIMARY KEY,
    channel         text NOT NULL REFERENCES intake.channels (id),
    lookup_id       bytea NOT NULL UNIQUE CHECK (length(lookup_id) = 32),
    submission_seq  bigint NOT NULL UNIQUE REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED,
    header_hash     bytea NOT NULL CHECK (length(header_hash) = 32),
    status          text NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'in_review', 'waiting_for_survivor', 'referred', 'closed', 'withdrawn')),
    opened_on       date NOT NULL
);
ALTER TABLE intake.uploads ADD FOREIGN KEY (case_id) REFERENCES intake.cases (id) DEFERRABLE INITIALLY DEFERRED;

-- The survivor's vault (her reply key and her copy of the content key), sealed under her
-- receipt key. Deleted with the case.
CREATE TABLE intake.case_vaults (
    case_id  uuid PRIMARY KEY REFERENCES intake.cases (id) DEFERRABLE INITIALLY DEFERRED,
    vault    bytea NOT NULL CHECK (length(vault) BETWEEN 1 AND 4096)
);

GRANT SELECT ON intake.channels, intake.channel_keys TO intake_app, intake_purger;
GRANT INSERT, UPDATE ON intake.channels, intake.channel_keys TO intake_app;
GRANT SELECT, INSERT, UPDATE ON intake.uploads TO intake_app;
GRANT SELECT, INSERT ON intake.upload_parts TO intake_app;
GRANT SELECT, INSERT ON intake.cases, intake.case_vaults TO intake_app;
GRANT UPDATE (status) ON intake.cases TO intake_app;
GRANT SELECT ON intake.uploads, intake.upload_parts, intake.cases, intake.case_vaults TO intake_purger;
