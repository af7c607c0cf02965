using Intake.Core.Crypto;
using Npgsql;

namespace Intake.Storage.Cases;

/// <summary>Where an upload stands; a client resumes from <see cref="NextPart"/>.</summary>
public sealed record UploadStatus(Guid Id, long TotalLength, long ReceivedLength, int NextPart)
{
    public bool Complete => ReceivedLength == TotalLength;
}

/// <summary>Why an upload request was refused; <see cref="Kind"/> chooses the HTTP status.</summary>
public sealed class UploadException(UploadFailure kind, string message) : Exception(message)
{
    public UploadFailure Kind { get; } = kind;
}

public enum UploadFailure
{
    NotFound,
    Invalid,
    Conflict,
    TooLarge,
}

/// <summary>
/// Receives an encrypted stream in numbered parts, strictly in order: a part already received
/// may be sent again with the same bytes (a retry after a dropped connection) and is accepted
/// as a no-op; different bytes, or a part ahead of the next expected one, are refused.
/// </summary>
public sealed class UploadStore(NpgsqlDataSource dataSource)
{
    public const int MaxPartLength = 1024 * 1024;

    public async Task<UploadStatus> CreateAsync(byte[] streamHeader, long maxStreamLength, CancellationToken cancellationToken = default)
    {
        var header = StreamHeader.TryDecode(streamHeader, out var error)
            ?? throw new UploadException(UploadFailure.Invalid, $"The stream header is not valid: {error}");
        if (header.CiphertextLength > maxStreamLength)
        {
            throw new UploadException(UploadFailure.TooLarge, $"The stream is {header.CiphertextLength} bytes; the limit is {maxStreamLength}.");
        }
        var id = Guid.NewGuid();
        await using var insert = dataSource.CreateCommand("INSERT INTO intake.uploads (id, header, total_length) VALUES (@id, @header, @total)");
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("header", streamHeader);
        insert.Parameters.AddWithValue("total", header.CiphertextLength);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return new UploadStatus(id, header.CiphertextLength, 0, 0);
    }

    public async Task<UploadStatus> StatusAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT total_length, received_length, next_part FROM intake.uploads WHERE id = @id AND case_id IS NULL");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new UploadStatus(id, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2))
            : throw new UploadException(UploadFailure.NotFound, "There is no open upload with this id.");
    }

    /// <summary>SHA-256 of the whole stream as stored, read part by part in order.</summary>
    public async Task<byte[]> DigestAsync(Guid id, CancellationToken cancellationToken = default)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        await using var parts = dataSource.CreateCommand("SELECT bytes FROM intake.upload_parts WHERE upload_id = @id ORDER BY part");
        parts.Parameters.AddWithValue("id", id);
        await using var rows = await parts.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            hash.AppendData((byte[])rows[0]);
        }
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// The stored stream (header and chunks) of a case whose header carries this stream id, or
    /// null when the case has no such stream. Ciphertext only: readers decrypt in their browsers.
    /// </summary>
    public async Task<long?> CopyCaseStreamAsync(Guid caseId, byte[] streamId, Func<long, Stream> open, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        Guid upload;
        long length;
        await using (var find = new NpgsqlCommand("""
            SELECT id, total_length FROM intake.uploads
            WHERE case_id = @case AND substring(header FROM 7 FOR 16) = @stream AND received_length = total_length
            """, connection))
        {
            find.Parameters.AddWithValue("case", caseId);
            find.Parameters.AddWithValue("stream", streamId);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            (upload, length) = (reader.GetGuid(0), reader.GetInt64(1));
        }
        var target = open(length);
        await using var parts = new NpgsqlCommand("SELECT bytes FROM intake.upload_parts WHERE upload_id = @id ORDER BY part", connection);
        parts.Parameters.AddWithValue("id", upload);
        await using var rows = await parts.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            await target.WriteAsync((byte[])rows[0], cancellationToken);
        }
        return length;
    }

    public async Task<UploadStatus> AppendPartAsync(Guid id, int part, byte[] bytes, CancellationToken cancellationToken = default)
    {
        if (bytes.Length is 0 or > MaxPartLength)
        {
            throw new UploadException(bytes.Length == 0 ? UploadFailure.Invalid : UploadFailure.TooLarge,
                $"A part has 1 to {MaxPartLength} bytes.");
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        byte[] header;
        long total, received;
        int next;
        await using (var select = new NpgsqlCommand(
            "SELECT header, total_length, received_length, next_part FROM intake.uploads WHERE id = @id AND case_id IS NULL FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue("id", id);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new UploadException(UploadFailure.NotFound, "There is no open upload with this id.");
            }
            (header, total, received, next) = ((byte[])reader[0], reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3));
        }

        if (part < next)
        {
            await using var stored = new NpgsqlCommand("SELECT bytes FROM intake.upload_parts WHERE upload_id = @id AND part = @part", connection, transaction);
            stored.Parameters.AddWithValue("id", id);
            stored.Parameters.AddWithValue("part", part);
            var previous = (byte[]?)await stored.ExecuteScalarAsync(cancellationToken);
            return previous is not null && previous.AsSpan().SequenceEqual(bytes)
                ? new UploadStatus(id, total, received, next)
                : throw new UploadException(UploadFailure.Conflict, $"Part {part} was already received with different bytes.");
        }
        if (part > next)
        {
            throw new UploadException(UploadFailure.Conflict, $"Parts arrive in order: the next part is {next}, not {part}.");
        }
        if (received + bytes.Length > total)
        {
            throw new UploadException(UploadFailure.Invalid, $"The stream is {total} bytes; this part would make it {received + bytes.Length}.");
        }
        // The stream starts with its header; the first part must repeat the one announced.
        if (part == 0 && (bytes.Length < header.Length || !bytes.AsSpan(0, header.Length).SequenceEqual(header)))
        {
            throw new UploadException(UploadFailure.Invalid, "The first part must begin with the stream header given when the upload was created.");
        }

        await using (var insert = new NpgsqlCommand("INSERT INTO intake.upload_parts (upload_id, part, bytes) VALUES (@id, @part, @bytes)", connection, transaction))
        {
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("part", part);
            insert.Parameters.AddWithValue("bytes", bytes);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        // The last part: hash the whole stream now, while she is still uploading, rather than when she submits.
        byte[]? digest = null;
        if (received + bytes.Length == total)
        {
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            await using (var earlier = new NpgsqlCommand("SELECT bytes FROM intake.upload_parts WHERE upload_id = @id AND part < @part ORDER BY part", connection, transaction))
            {
                earlier.Parameters.AddWithValue("id", id);
                earlier.Parameters.AddWithValue("part", part);
                await using var rows = await earlier.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
                while (await rows.ReadAsync(cancellationToken))
                {
                    hash.AppendData((byte[])rows[0]);
                }
            }
            hash.AppendData(bytes);
            digest = hash.GetHashAndReset();
        }
        await using (var update = new NpgsqlCommand(
            "UPDATE intake.uploads SET received_length = received_length + @n, next_part = next_part + 1, digest = @digest WHERE id = @id", connection, transaction))
        {
            update.Parameters.AddWithValue("id", id);
            update.Parameters.AddWithValue("n", (long)bytes.Length);
            update.Parameters.Add(new NpgsqlParameter("digest", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = (object?)digest ?? DBNull.Value });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new UploadStatus(id, total, received + bytes.Length, next + 1);
    }
}
