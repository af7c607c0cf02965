using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Cases;

/// <summary>A channel survivors can choose, with its names in both languages.</summary>
public sealed record Channel(string Id, string NameEn, string NameZh);

/// <summary>One of a channel's own questions, in both languages, asked after the standard ones.</summary>
public sealed record ChannelQuestion(int Position, string LabelEn, string LabelZh)
{
    public const int MaxQuestions = 10;
    public const int MaxLength = 300;
}

/// <summary>A public key new testimony in a channel is sealed to.</summary>
public sealed record ChannelKey(byte[] KeyId, byte[] PublicKey);

/// <summary>
/// Channels and their key directory. Every change is a ledger entry written in the same
/// transaction (a ledger companion), so the directory's history is tamper-evident.
/// </summary>
public sealed class ChannelDirectory(NpgsqlDataSource dataSource, LedgerWriter writer)
{
    public async Task<IReadOnlyList<Channel>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        var channels = new List<Channel>();
        await using var command = dataSource.CreateCommand("SELECT id, name_en, name_zh FROM intake.channels WHERE active ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            channels.Add(new Channel(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        return channels;
    }

    /// <summary>The channel's current (not revoked) keys, or null when the channel does not exist or is closed.</summary>
    public async Task<IReadOnlyList<ChannelKey>?> CurrentKeysAsync(string channel, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT k.key_id, k.public_key, c.id
            FROM intake.channels c LEFT JOIN intake.channel_keys k ON k.channel = c.id AND k.revoked_seq IS NULL
            WHERE c.id = @channel AND c.active
            ORDER BY k.key_id
            """);
        command.Parameters.AddWithValue("channel", channel);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        List<ChannelKey>? keys = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            keys ??= [];
            if (!reader.IsDBNull(0))
            {
                keys.Add(new ChannelKey((byte[])reader[0], (byte[])reader[1]));
            }
        }
        return keys;
    }

    /// <summary>Creates a channel; an admin action in the ledger.</summary>
    public async Task<AppendedEntry> AddChannelAsync(Channel channel, string actor, CancellationToken cancellationToken = default)
    {
        if (!EnvelopeHeader.IsValidChannelId(channel.Id))
        {
            throw new LedgerAppendException($"'{channel.Id}' is not a valid channel id (lowercase letters, digits and inner hyphens, at most 32).");
        }
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { action = "channel.add", channel = channel.Id, actor });
        return await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: metadata,
            Companion: async (connection, _, ct) =>
            {
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO intake.channels (id, name_en, name_zh) VALUES (@id, @en, @zh)", connection);
                insert.Parameters.AddWithValue("id", channel.Id);
                insert.Parameters.AddWithValue("en", channel.NameEn);
                insert.Parameters.AddWithValue("zh", channel.NameZh);
                await insert.ExecuteNonQueryAsync(ct);
            }), cancellationToken);
    }

    /// <summary>Every active channel's own questions, by channel id, in order (channels without any are left out).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<ChannelQuestion>>> QuestionsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT q.channel, q.position, q.label_en, q.label_zh
            FROM intake.channel_questions q JOIN intake.channels c ON c.id = q.channel
            WHERE c.active ORDER BY q.channel, q.position
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var questions = new Dictionary<string, List<ChannelQuestion>>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var channel = reader.GetString(0);
            if (!questions.TryGetValue(channel, out var list))
            {
                questions[channel] = list = [];
            }
            list.Add(new ChannelQuestion(reader.GetInt16(1), reader.GetString(2), reader.GetString(3)));
        }
        return questions.ToDictionary(p => p.Key, p => (IReadOnlyList<ChannelQuestion>)p.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Replaces a channel's own questions (an empty list removes them); an admin action in the
    /// ledger. False when there is no such channel (nothing written).
    /// </summary>
    public async Task<bool> SetQuestionsAsync(string channel, IReadOnlyList<(string LabelEn, string LabelZh)> questions, string actor,
        CancellationToken cancellationToken = default)
    {
        if (questions.Count > ChannelQuestion.MaxQuestions
            || questions.Any(q => q.LabelEn.Length is 0 or > ChannelQuestion.MaxLength || q.LabelZh.Length is 0 or > ChannelQuestion.MaxLength))
        {
            throw new LedgerAppendException(
                $"A channel has at most {ChannelQuestion.MaxQuestions} questions of 1 to {ChannelQuestion.MaxLength} characters in each language.");
        }
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { action = "channel.questions", channel, count = questions.Count, actor });
        try
        {
            await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: metadata,
                Companion: async (connection, _, ct) =>
                {
                    await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM intake.channels WHERE id = @id)", connection))
                    {
                        exists.Parameters.AddWithValue("id", channel);
                        if (await exists.ExecuteScalarAsync(ct) is not true)
                        {
                            throw new ChannelNotFoundException();
                        }
                    }
                    await using (var delete = new NpgsqlCommand("DELETE FROM intake.channel_questions WHERE channel = @id", connection))
                    {
                        delete.Parameters.AddWithValue("id", channel);
                        await delete.ExecuteNonQueryAsync(ct);
                    }
                    for (var i = 0; i < questions.Count; i++)
                    {
                        await using var insert = new NpgsqlCommand(
                            "INSERT INTO intake.channel_questions (channel, position, label_en, label_zh) VALUES (@id, @position, @en, @zh)", connection);
                        insert.Parameters.AddWithValue("id", channel);
                        insert.Parameters.AddWithValue("position", (short)(i + 1));
                        insert.Parameters.AddWithValue("en", questions[i].LabelEn);
                        insert.Parameters.AddWithValue("zh", questions[i].LabelZh);
                        await insert.ExecuteNonQueryAsync(ct);
                    }
                }), cancellationToken);
            return true;
        }
        catch (ChannelNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Changes the names survivors see; an admin action in the ledger. False when there is no such channel (nothing written).</summary>
    public async Task<bool> RenameAsync(Channel channel, string actor, CancellationToken cancellationToken = default)
    {
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { action = "channel.rename", channel = channel.Id, actor });
        try
        {
            await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.AdminAction, Metadata: metadata,
                Companion: async (connection, _, ct) =>
                {
                    await using var update = new NpgsqlCommand("UPDATE intake.channels SET name_en = @en, name_zh = @zh WHERE id = @id", connection);
                    update.Parameters.AddWithValue("id", channel.Id);
                    update.Parameters.AddWithValue("en", channel.NameEn);
                    update.Parameters.AddWithValue("zh", channel.NameZh);
                    if (await update.ExecuteNonQueryAsync(ct) != 1)
                    {
                        throw new ChannelNotFoundException();
                    }
                }), cancellationToken);
            return true;
        }
        catch (ChannelNotFoundException)
        {
            return false;
        }
    }

    private sealed class ChannelNotFoundException() : LedgerAppendException("There is no such channel.");

    /// <summary>Adds a public key to a channel's directory; a key-directory entry in the ledger.</summary>
    public async Task<AppendedEntry> AddKeyAsync(string channel, byte[] publicKey, string actor, CancellationToken cancellationToken = default)
    {
        if (!RecipientKeys.HasPublicKeyShape(publicKey) || !IsOnCurve(publicKey))
        {
            throw new LedgerAppendException("The public key is not an uncompressed P-256 point (65 bytes starting with 0x04).");
        }
        var keyId = RecipientKeys.KeyId(publicKey);
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new
        {
            action = "key.add",
            channel,
            kid = Base64UrlStrict.Encode(keyId),
            fingerprint = RecipientKeys.Fingerprint(publicKey),
            actor,
        });
        return await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.KeyDirectoryChange, Metadata: metadata,
            Companion: async (connection, sequence, ct) =>
            {
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO intake.channel_keys (channel, key_id, public_key, added_seq) VALUES (@channel, @kid, @key, @seq)", connection);
                insert.Parameters.AddWithValue("channel", channel);
                insert.Parameters.AddWithValue("kid", keyId);
                insert.Parameters.AddWithValue("key", publicKey);
                insert.Parameters.AddWithValue("seq", sequence);
                await insert.ExecuteNonQueryAsync(ct);
            }), cancellationToken);
    }

    internal static bool IsOnCurve(byte[] publicKey)
    {
        try
        {
            using var key = System.Security.Cryptography.ECDiffieHellman.Create(new System.Security.Cryptography.ECParameters
            {
                Curve = System.Security.Cryptography.ECCurve.NamedCurves.nistP256,
                Q = new System.Security.Cryptography.ECPoint { X = publicKey[1..33], Y = publicKey[33..] },
            });
            return true;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
