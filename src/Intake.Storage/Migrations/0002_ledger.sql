-- The ledger: an append-only RFC 9162 Merkle log over the hashes of ciphertext.
-- Append-only is enforced here, by the database, twice over: the app role is granted only
-- SELECT and INSERT on ledger tables, and triggers refuse UPDATE, DELETE and TRUNCATE from
-- anyone. The one redaction path is intake.purge_payload(), executable only by the purger role,
-- which deletes a payload and its wrapped keys only after a purge tombstone naming that entry
-- has been appended. See docs/ledger.md.

-- One row per leaf. seq is the leaf index: 0, 1, 2, ... without gaps (the writer assigns it
-- under the lock on ledger_head, in the same transaction as the insert).
CREATE TABLE intake.ledger_entries (
    seq           bigint PRIMARY KEY CHECK (seq >= 0),
    kind          smallint NOT NULL CHECK (kind BETWEEN 1 AND 100),
    entry_day     date NOT NULL,
    case_id       uuid,
    payload_hash  bytea CHECK (payload_hash IS NULL OR length(payload_hash) = 32),
    purged_seq    bigint REFERENCES intake.ledger_entries (seq),
    metadata      bytea NOT NULL DEFAULT '\x'::bytea CHECK (length(metadata) <= 4096),
    leaf_hash     bytea NOT NULL CHECK (length(leaf_hash) = 32),
    CHECK ((kind = 10) = (purged_seq IS NOT NULL)),
    CHECK (purged_seq IS NULL OR purged_seq < seq)
);
CREATE INDEX ledger_entries_case ON intake.ledger_entries (case_id) WHERE case_id IS NOT NULL;
-- At most one tombstone per entry.
CREATE UNIQUE INDEX ledger_entries_one_tombstone ON intake.ledger_entries (purged_seq) WHERE purged_seq IS NOT NULL;

-- The ciphertext an entry's payload_hash commits to. Purge deletes the row; the entry stays.
CREATE TABLE intake.ledger_payloads (
    seq         bigint PRIMARY KEY REFERENCES intake.ledger_entries (seq),
    ciphertext  bytea NOT NULL
);
ALTER TABLE intake.ledger_payloads ALTER COLUMN ciphertext SET STORAGE EXTERNAL; -- already encrypted: compression only costs time

-- Content keys sealed to each recipient key (HPKE). Not part of the leaf: keys are revocable,
-- the commitment is to the ciphertext. Purge deletes them with the payload (crypto-shredding).
CREATE TABLE intake.ledger_wrapped_keys (
    seq      bigint NOT NULL REFERENCES intake.ledger_entries (seq),
    key_id   bytea NOT NULL CHECK (length(key_id) = 16),
    wrapped  bytea NOT NULL,
    PRIMARY KEY (seq, key_id)
);

-- Perfect subtree hashes (level >= 1; level 0 is ledger_entries.leaf_hash), so that every
-- proof needs one lookup per level. Derivable from the leaves; `intake ledger verify` checks them.
CREATE TABLE intake.ledger_nodes (
    level  smallint NOT NULL CHECK (level BETWEEN 1 AND 62),
    idx    bigint NOT NULL CHECK (idx >= 0),
    hash   bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- The head of the log: size, the compact frontier of the tree and its root. The single
-- logical writer locks this row (SELECT ... FOR UPDATE) for each batch, across all processes.
CREATE TABLE intake.ledger_head (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    tree_size  bigint NOT NULL CHECK (tree_size >= 0),
    frontier   bytea NOT NULL,
    root_hash  bytea NOT NULL CHECK (length(root_hash) = 32)
);
INSERT INTO intake.ledger_head (tree_size, frontier, root_hash)
VALUES (0, '\x0000000000000000'::bytea, sha256(''::bytea));

-- Signed checkpoints (signed-note text), one per tree size.
CREATE TABLE intake.ledger_checkpoints (
    tree_size  bigint PRIMARY KEY CHECK (tree_size >= 0),
    root_hash  bytea NOT NULL CHECK (length(root_hash) = 32),
    issued_on  date NOT NULL,
    note       text NOT NULL
);

CREATE FUNCTION intake.refuse_ledger_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'intake.% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON intake.ledger_entries
    FOR EACH ROW EXECUTE FUNCTION intake.refuse_ledger_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON intake.ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION intake.refuse_ledger_change();
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON intake.ledger_nodes
    FOR EACH ROW EXECUTE FUNCTION intake.refuse_ledger_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON intake.ledger_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION intake.refuse_ledger_change();
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON intake.ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION intake.refuse_ledger_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON intake.ledger_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION intake.refuse_ledger_change();

-- Payloads and wrapped keys: never updated; deleted only for an entry that has a tombstone.
CREATE FUNCTION intake.refuse_unrecorded_redaction() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM intake.ledger_entries WHERE purged_seq = OLD.seq AND kind = 10) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'intake.%: % of entry % refused (only a recorded purge may remove ciphertext)',
        TG_TABLE_NAME, TG_OP, OLD.seq USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER redaction_needs_tombstone BEFORE UPDATE OR DELETE ON intake.ledger_payloads
    FOR EACH ROW EXECUTE FUNCTION intake.refuse_unrecorded_redaction();
CREATE TRIGGER redaction_needs_tombstone BEFORE UPDATE OR DELETE ON intake.ledger_wrapped_keys
    FOR EACH ROW EXECUTE FUNCTION intake.refuse_unrecorded_redaction();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON intake.ledger_payloads
    FOR EACH STATEMENT EXECUTE FUNCTION intake.refuse_ledger_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON intake.ledger_wrapped_keys
    FOR EACH STATEMENT EXECUTE FUNCTION intake.refuse_ledger_change();

-- The head only grows.
CREATE FUNCTION intake.head_only_grows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.tree_size < OLD.tree_size THEN
        RAISE EXCEPTION 'intake.ledger_head only grows' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER head_only_grows BEFORE UPDATE OR DELETE ON intake.ledger_head
    FOR EACH ROW EXECUTE FUNCTION intake.head_only_grows();

-- The one redaction path: crypto-shreds an entry whose tombstone is already in the log.
-- SECURITY DEFINER so the purger needs no DELETE right of its own; only it may execute this.
CREATE FUNCTION intake.purge_payload(target bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    removed boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM intake.ledger_entries WHERE purged_seq = target AND kind = 10) THEN
        RAISE EXCEPTION 'entry % has no purge tombstone: append the tombstone first', target
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM intake.ledger_wrapped_keys WHERE seq = target;
    DELETE FROM intake.ledger_payloads WHERE seq = target;
    removed := FOUND;
    RETURN removed;
END
$$;
REVOKE ALL ON FUNCTION intake.purge_payload(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.purge_payload(bigint) TO intake_purger;

GRANT SELECT, INSERT ON intake.ledger_entries, intake.ledger_payloads, intake.ledger_wrapped_keys,
    intake.ledger_nodes, intake.ledger_checkpoints TO intake_app;
GRANT SELECT, UPDATE ON intake.ledger_head TO intake_app;
-- The purger appends tombstones (through the same writer) and reads what it purges.
GRANT SELECT, INSERT ON intake.ledger_entries, intake.ledger_nodes TO intake_purger;
GRANT SELECT, UPDATE ON intake.ledger_head TO intake_purger;
GRANT SELECT ON intake.ledger_payloads, intake.ledger_wrapped_keys, intake.ledger_checkpoints TO intake_purger;
