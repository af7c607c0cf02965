using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Workspace;

/// <summary>An advocate's key as the server holds it: public key and passphrase-wrapped private key.</summary>
public sealed record AdvocateKey(
    byte[] KeyId, Guid AdvocateId, byte[] PublicKey, string WrappedRecord, string Status, DateOnly CreatedOn)
{
    public string Fingerprint => RecipientKeys.Fingerprint(PublicKey);
}

/// <summary>Why a key change was refused; the endpoints map each to a status code.</summary>
public enum KeyChangeFailure
{
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
}

public sealed class KeyChangeException(KeyChangeFailure kind, string message) : LedgerAppendException(message)
{
    public KeyChangeFailure Kind { get; } = kind;
}

/// <summary>
/// Enrolment, approval, rotation and revocation of advocates' keys. Each step is a ledger entry
/// (key-directory change), so an audit can replay who could read new testimony, and when.
/// </summary>
public sealed class AdvocateKeyStore(NpgsqlDataSource dataSource, LedgerWriter writer, ChannelDirectory channels, NpgsqlDataSource purgerDataSource)
{
    private const string Columns = "key_id, advocate_id, public_key, wrapped, status, created_on";

    /// <summary>Stores a key her browser made and wrapped; it waits for an admin's approval.</summary>
    public async Task<AdvocateKey> EnrolAsync(Guid advocateId, string wrappedRecord, CancellationToken cancellationToken = default)
    {
        WrappedAdvocateKey record;
        try
        {
            record = WrappedAdvocateKey.Parse(wrappedRecord);
        }
        catch (KeyWrapException)
        {
            throw new KeyChangeException(KeyChangeFailure.Invalid,
                "The wrapped key is not a version 1 record (docs/crypto.md §6) with at least 600,000 iterations.");
        }
        var publicKey = record.PublicKey.ToArray();
        if (!ChannelDirectory.IsOnCurve(publicKey))
        {
            throw new KeyChangeException(KeyChangeFailure.Invalid, "The public key is not a point on P-256.");
        }
        var keyId = RecipientKeys.KeyId(publicKey);
        var canonical = record.ToJson();
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new
        {
            action = "key.enrol",
            advocate = advocateId,
            kid = Base64UrlStrict.Encode(keyId),
            fingerprint = RecipientKeys.Fingerprint(publicKey),
        });
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.KeyDirectoryChange, Metadata: metadata,
            Companion: async (connection, sequence, ct) =>
            {
                await using var insert = new NpgsqlCommand("""
                    INSERT INTO intake.advocate_keys (key_id, advocate_id, public_key, wrapped, enrolled_seq)
                    VALUES (@kid, @advocate, @key, @wrapped, @seq)
                    ON CONFLICT DO NOTHING
                    """, connection);
                insert.Parameters.AddWithValue("kid", keyId);
                insert.Parameters.AddWithValue("advocate", advocateId);
                insert.Parameters.AddWithValue("key", publicKey);
                insert.Parameters.AddWithValue("wrapped", canonical);
                insert.Parameters.AddWithValue("seq", sequence);
                if (await insert.ExecuteNonQueryAsync(ct) != 1)
                {
                    throw new KeyChangeException(KeyChangeFailure.Conflict,
                        "You already have a key waiting for approval, or this key is already enrolled.");
                }
            }), cancellationToken);
        return new AdvocateKey(keyId, advocateId, publicKey, canonical, "pending", DateOnly.FromDateTime(DateTime.UtcNow));
    }

    /// <summary>Her keys, newest first: the approved one unlocks her cases, retired ones older cases.</summary>
    public Task<IReadOnlyList<AdvocateKey>> ForAdvocateAsync(Guid advocateId, CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {Columns} FROM intake.advocate_keys WHERE advocate_id = @id AND status IN ('pending', 'approved', 'retired') ORDER BY enrolled_seq DESC",
            command => command.Parameters.AddWithValue("id", advocateId), cancellationToken);

    /// <summary>Every key an admin may act on: waiting for approval or in service.</summary>
    public Task<IReadOnlyList<AdvocateKey>> ReviewableAsync(CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {Columns} FROM intake.advocate_keys WHERE status IN ('pending', 'approved') ORDER BY status DESC, enrolled_seq",
            _ => { }, cancellationToken);

    public async Task<AdvocateKey?> FindAsync(byte[] keyId, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM intake.advocate_keys WHERE key_id = @kid",
            command => command.Parameters.AddWithValue("kid", keyId), cancellationToken)).FirstOrDefault();

    /// <summary>
    /// An admin approves a waiting key for the given channels. The advocate's previous key, if
    /// any, is retired: it leaves the channel directories (new testimony stops using it) but
    /// keeps its wrapped content keys, so she still opens the cases sealed to it.
    /// </summary>
    public async Task ApproveAsync(byte[] keyId, Guid adminId, IReadOnlyList<string> channelIds, CancellationToken cancellationToken = default)
    {
        var key = await FindAsync(keyId, cancellationToken) ?? throw new KeyChangeException(KeyChangeFailure.NotFound, "There is no such key.");
        if (key.Status != "pending")
        {
            throw new KeyChangeException(KeyChangeFailure.Conflict, "This key is not waiting for approval.");
        }
        if (key.AdvocateId == adminId)
        {
            throw new KeyChangeException(KeyChangeFailure.Forbidden, "Someone else must approve your own key.");
        }
        if (channelIds.Count == 0)
        {
            throw new KeyChangeException(KeyChangeFailure.Invalid, "Choose at least one channel the key will serve.");
        }
        var active = (await channels.ListActiveAsync(cancellationToken)).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        if (channelIds.FirstOrDefault(c => !active.Contains(c)) is { } unknown)
        {
            throw new KeyChangeException(KeyChangeFailure.Invalid, $"There is no open channel '{unknown}'.");
        }
        var previous = (await ForAdvocateAsync(key.AdvocateId, cancellationToken)).FirstOrDefault(k => k.Status == "approved");
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new
        {
            action = "key.approve",
            advocate = key.AdvocateId,
            kid = Base64UrlStrict.Encode(keyId),
            retires = previous is null ? null : Base64UrlStrict.Encode(previous.KeyId),
            channels = channelIds,
            actor = adminId,
        });
        await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.KeyDirectoryChange, Metadata: metadata,
            Companion: async (connection, sequence, ct) =>
            {
                await using var batch = new NpgsqlBatch(connection)
                {
                    BatchCommands =
                    {
                        Command("""
                            UPDATE intake.channel_keys SET revoked_seq = @seq
                            WHERE key_id IN (SELECT key_id FROM intake.advocate_keys WHERE advocate_id = @advocate AND status = 'approved')
                              AND revoked_seq IS NULL
                            """, ("seq", sequence), ("advocate", key.AdvocateId)),
                        Command("UPDATE intake.advocate_keys SET status = 'retired', decided_by = @admin, decided_on = current_date WHERE advocate_id = @advocate AND status = 'approved'",
                            ("admin", adminId), ("advocate", key.AdvocateId)),
                        Command("UPDATE intake.advocate_keys SET status = 'approved', decided_by = @admin, decided_on = current_date WHERE key_id = @kid AND status = 'pending'",
                            ("admin", adminId), ("kid", keyId)),
                    },
                };
                await using var reader = await batch.ExecuteReaderAsync(ct);
                await reader.CloseAsync();
                if (batch.BatchCommands[2].RecordsAffected != 1)
                {
                    throw new KeyChangeException(KeyChangeFailure.Conflict, "This key was decided meanwhile.");
                }
            }), cancellationToken);
        foreach (var channel in channelIds)
        {
            await channels.AddKeyAsync(channel, key.PublicKey, adminId.ToString(), cancellationToken);
        }
    }

    /// <summary>
    /// Revokes a key at once: it leaves every channel directory, and every content key sealed to
    /// it is deleted (crypto-shredding), so the key opens nothing more that this server holds.
    /// </summary>
    public async Task<long> RevokeAsync(byte[] keyId, Guid adminId, string reason, CancellationToken cancellationToken = default)
    {
        if (reason.Length is 0 or > 200 || reason.Any(char.IsControl))
        {
            throw new KeyChangeException(KeyChangeFailure.Invalid, "Give a short reason (1 to 200 characters, one line).");
        }
        var key = await FindAsync(keyId, cancellationToken) ?? throw new KeyChangeException(KeyChangeFailure.NotFound, "There is no such key.");
        if (key.Status is "pending" or "approved" or "retired")
        {
            var metadata = JsonSerializer.SerializeToUtf8Bytes(new
            {
                action = "key.revoke",
                advocate = key.AdvocateId,
                kid = Base64UrlStrict.Encode(keyId),
                reason,
                actor = adminId,
            });
            await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.KeyDirectoryChange, Metadata: metadata,
                Companion: async (connection, sequence, ct) =>
                {
                    await using var batch = new NpgsqlBatch(connection)
                    {
                        BatchCommands =
                        {
                            Command("UPDATE intake.channel_keys SET revoked_seq = @seq WHERE key_id = @kid AND revoked_seq IS NULL", ("seq", sequence), ("kid", keyId)),
                            Command("""
                                UPDATE intake.advocate_keys SET status = 'revoked', revoked_seq = @seq, decided_by = @admin, decided_on = current_date
                                WHERE key_id = @kid AND status <> 'revoked'
                                """, ("seq", sequence), ("admin", adminId), ("kid", keyId)),
                        },
                    };
                    await using var reader = await batch.ExecuteReaderAsync(ct);
                    await reader.CloseAsync();
                    if (batch.BatchCommands[1].RecordsAffected != 1)
                    {
                        throw new KeyChangeException(KeyChangeFailure.Conflict, "This key was revoked meanwhile.");
                    }
                }), cancellationToken);
        }
        else if (key.Status != "revoked")
        {
            throw new KeyChangeException(KeyChangeFailure.Conflict, "This key was never in service.");
        }
        // Shredding after the commit, through the purger: repeating a revocation finishes a shred
        // that a crash interrupted.
        await using var shred = purgerDataSource.CreateCommand("SELECT intake.shred_revoked_key(@kid)");
        shred.Parameters.AddWithValue("kid", keyId);
        return (long)(await shred.ExecuteScalarAsync(cancellationToken))!;
    }

    private static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }

    private async Task<IReadOnlyList<AdvocateKey>> QueryAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<AdvocateKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new AdvocateKey((byte[])reader[0], reader.GetGuid(1), (byte[])reader[2], reader.GetString(3), reader.GetString(4),
                reader.GetFieldValue<DateOnly>(5)));
        }
        return keys;
    }
}
