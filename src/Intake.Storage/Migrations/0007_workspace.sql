-- Advocates' keys and the case workspace.
-- An advocate's key pair is made in her browser; the server keeps only the public key and the
-- private key wrapped under her passphrase (docs/crypto.md §6). A key serves new testimony only
-- after an admin approves it, and every change to a channel's key directory is a ledger entry.

CREATE TABLE intake.advocate_keys (
    key_id       bytea PRIMARY KEY CHECK (length(key_id) = 16),
    advocate_id  uuid NOT NULL,
    public_key   bytea NOT NULL UNIQUE CHECK (length(public_key) = 65 AND get_byte(public_key, 0) = 4),
    wrapped      text NOT NULL CHECK (length(wrapped) BETWEEN 1 AND 1024),
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'retired', 'revoked', 'refused')),
    enrolled_seq bigint NOT NULL REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED,
    revoked_seq  bigint REFERENCES intake.ledger_entries (seq) DEFERRABLE INITIALLY DEFERRED,
    created_on   date NOT NULL DEFAULT current_date,
    decided_by   uuid,
    decided_on   date,
    CHECK ((status = 'revoked') = (revoked_seq IS NOT NULL))
);
-- At most one key waiting for approval and one in service per advocate: rotation approves the
-- new key and retires the old one in the same step.
CREATE UNIQUE INDEX advocate_keys_one_pending ON intake.advocate_keys (advocate_id) WHERE status = 'pending';
CREATE UNIQUE INDEX advocate_keys_one_current ON intake.advocate_keys (advocate_id) WHERE status = 'approved';

GRANT SELECT, INSERT ON intake.advocate_keys TO intake_app;
GRANT UPDATE (status, revoked_seq, decided_by, decided_on) ON intake.advocate_keys TO intake_app;
GRANT SELECT ON intake.advocate_keys TO intake_purger;

-- Revoking a key (a lost passphrase, a departed or compromised advocate) shreds every content key
-- sealed to it, so whoever holds that private key opens nothing more from this server. Wrapped
-- keys are outside the leaf hashes, so the ledger still verifies. Allowed only once the
-- revocation is recorded in the ledger (advocate_keys.revoked_seq).
CREATE OR REPLACE FUNCTION intake.refuse_unrecorded_redaction() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM intake.ledger_entries WHERE purged_seq = OLD.seq AND kind = 10) THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'ledger_wrapped_keys' THEN
        IF EXISTS (SELECT 1 FROM intake.advocate_keys WHERE key_id = OLD.key_id AND revoked_seq IS NOT NULL) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'intake.%: % of entry % refused (only a recorded purge may remove ciphertext)',
        TG_TABLE_NAME, TG_OP, OLD.seq USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION intake.shred_revoked_key(target bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    removed bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM intake.advocate_keys WHERE key_id = target AND revoked_seq IS NOT NULL) THEN
        RAISE EXCEPTION 'key has no recorded revocation: revoke it first' USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM intake.ledger_wrapped_keys WHERE key_id = target;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;
REVOKE ALL ON FUNCTION intake.shred_revoked_key(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.shred_revoked_key(bytea) TO intake_purger;
