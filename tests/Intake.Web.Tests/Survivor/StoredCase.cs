using System.Text.Json;
using Intake.Core.Crypto;
using Npgsql;

namespace Intake.Web.Tests.Survivor;

/// <summary>
/// What the database holds for a case, read the way an advocate's browser would get it: the submission record from
/// the ledger, the wrapped keys, and the uploaded stream bytes. Nothing here can read content without a private key.
/// </summary>
public sealed class StoredCase
{
    private readonly string _connection;

    private StoredCase(string connection, Guid caseId, Envelope envelope)
    {
        _connection = connection;
        CaseId = caseId;
        Envelope = envelope;
    }

    public Guid CaseId { get; }
    public Envelope Envelope { get; }

    /// <summary>The period the survivor chose herself for the case her receipt leads to (null: the policies apply).</summary>
    public static async Task<int?> KeepDaysAsync(string connection, byte[] lookupId)
    {
        await using var source = NpgsqlDataSource.Create(connection);
        await using var command = source.CreateCommand("SELECT keep_days FROM intake.cases WHERE lookup_id = @lookup");
        command.Parameters.AddWithValue("lookup", lookupId);
        return await command.ExecuteScalarAsync() switch
        {
            null => throw new InvalidOperationException("No case has this lookup id."),
            DBNull => null,
            var days => (int)days,
        };
    }

    public static async Task<StoredCase?> FindAsync(string connection, byte[] lookupId)
    {
        await using var source = NpgsqlDataSource.Create(connection);
        Guid caseId;
        long sequence;
        byte[] record;
        await using (var command = source.CreateCommand(
            "SELECT c.id, c.submission_seq, p.ciphertext FROM intake.cases c JOIN intake.ledger_payloads p ON p.seq = c.submission_seq WHERE c.lookup_id = @lookup"))
        {
            command.Parameters.AddWithValue("lookup", lookupId);
            await using var reader = await command.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                return null;
            }
            caseId = reader.GetGuid(0);
            sequence = reader.GetInt64(1);
            record = (byte[])reader[2];
        }

        var root = JsonDocument.Parse(record).RootElement;
        var header = new EnvelopeHeader(
            EnvelopeKind.Submission,
            root.GetProperty("channel").GetString()!,
            null,
            Base64UrlStrict.TryDecode(root.GetProperty("replyKey").GetString())!,
            root.GetProperty("kids").EnumerateArray().Select(k => (ReadOnlyMemory<byte>)Base64UrlStrict.TryDecode(k.GetString())!).ToList(),
            root.GetProperty("streams").EnumerateArray().Select(s => StreamHeader.TryDecode(Base64UrlStrict.TryDecode(s.GetString())!, out _)!).ToList());
        var recipients = new List<EnvelopeRecipient>();
        await using (var keys = source.CreateCommand("SELECT key_id, wrapped FROM intake.ledger_wrapped_keys WHERE seq = @seq ORDER BY key_id"))
        {
            keys.Parameters.AddWithValue("seq", sequence);
            await using var rows = await keys.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                var wrapped = (byte[])rows[1];
                recipients.Add(new EnvelopeRecipient((byte[])rows[0], wrapped[..65], wrapped[65..]));
            }
        }
        return new StoredCase(connection, caseId, new Envelope(header, recipients));
    }

    /// <summary>Opens one stream of the case: the upload whose 30-byte header is <paramref name="header"/>.</summary>
    public async Task<byte[]> OpenStreamAsync(byte[] contentKey, byte[] headerHash, StreamHeader header)
    {
        var ciphertext = await UploadBytesAsync(header.Encode());
        var opened = new MemoryStream();
        await ContentStreamOpener.OpenAsync(contentKey, headerHash, header, new MemoryStream(ciphertext), opened);
        return opened.ToArray();
    }

    /// <summary>The headers of the case's follow-up uploads (purpose 0x03).</summary>
    public async Task<IReadOnlyList<StreamHeader>> FollowUpHeadersAsync()
    {
        await using var source = NpgsqlDataSource.Create(_connection);
        await using var command = source.CreateCommand(
            "SELECT header FROM intake.uploads WHERE case_id = @case AND get_byte(header, 5) = 3");
        command.Parameters.AddWithValue("case", CaseId);
        var headers = new List<StreamHeader>();
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            headers.Add(StreamHeader.TryDecode((byte[])rows[0], out _)!);
        }
        return headers;
    }

    private async Task<byte[]> UploadBytesAsync(byte[] header)
    {
        await using var source = NpgsqlDataSource.Create(_connection);
        await using var command = source.CreateCommand(
            "SELECT p.bytes FROM intake.upload_parts p JOIN intake.uploads u ON u.id = p.upload_id WHERE u.case_id = @case AND u.header = @header ORDER BY p.part");
        command.Parameters.AddWithValue("case", CaseId);
        command.Parameters.AddWithValue("header", header);
        using var bytes = new MemoryStream();
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            bytes.Write((byte[])rows[0]);
        }
        return bytes.ToArray();
    }
}
