-- Passkeys (WebAuthn credentials) for staff, as ASP.NET Core Identity stores them, in
-- accounts.passkeys. Identity's schema version 3 maps a passkey's data as JSON, which Npgsql's EF
-- Core provider does not build; AccountsDbContext maps the same data as plain columns of this
-- table instead, and this file is generated from that model (AccountsSchemaTests compares them).
-- Only public keys and counters are stored: a passkey's private key never leaves her authenticator.

CREATE TABLE accounts.passkeys (
    credential_id bytea NOT NULL,
    user_id uuid NOT NULL,
    public_key bytea NOT NULL,
    name character varying(100),
    created_at timestamp with time zone NOT NULL,
    sign_count bigint NOT NULL,
    transports text[],
    is_user_verified boolean NOT NULL,
    is_backup_eligible boolean NOT NULL,
    is_backed_up boolean NOT NULL,
    attestation_object bytea NOT NULL,
    client_data_json bytea NOT NULL,
    CONSTRAINT pk_passkeys PRIMARY KEY (credential_id),
    CONSTRAINT fk_passkeys_users_user_id FOREIGN KEY (user_id) REFERENCES accounts.users (id) ON DELETE CASCADE
);
CREATE INDEX ix_passkeys_user_id ON accounts.passkeys (user_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON accounts.passkeys TO intake_app;
