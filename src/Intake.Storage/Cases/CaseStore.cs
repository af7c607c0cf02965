using System.Globalization;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Npgsql;

namespace Intake.Storage.Cases;

/// <summary>What a survivor sees of her case: never more than her receipt already unlocks.</summary>
public sealed record CaseView(
    Guid Id, string Channel, string Status, DateOnly OpenedOn, long SubmissionSequence, byte[] HeaderHash,
    byte[] Vault, byte[] SubmissionRecord, IReadOnlyList<FollowUpView> FollowUps, IReadOnlyList<ReplyView>? Replies = null);

public sealed record FollowUpView(long Sequence, DateOnly Day, byte[] StreamHeader);

/// <summary>An advocate's reply: its ledger record (the envelope without sealed keys) and the content key sealed to her reply key.</summary>
public sealed record ReplyView(long Sequence, DateOnly Day, byte[] Record, byte[] SealedKey);

/// <summary>A case found by the lookup id its receipt derives: follow-ups and withdrawal.</summary>
public sealed class CaseStore(NpgsqlDataSource dataSource, UploadStore uploads, LedgerWriter writer, LedgerPurger purger, NpgsqlDataSource purgerDataSource,
    Retention.LegalHoldStore holds)
{
    public async Task<CaseView?> FindAsync(byte[] lookupId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        CaseView? found = null;
        await using (var command = new NpgsqlCommand("""
            SELECT c.id, c.channel, c.status, c.opened_on, c.submission_seq, c.header_hash, c.lookup_id, v.vault, p.ciphertext
            FROM intake.cases c
            JOIN intake.case_vaults v ON v.case_id = c.id
            JOIN intake.ledger_payloads p ON p.seq = c.submission_seq
            WHERE c.lookup_id = @lookup
            """, connection))
        {
            command.Parameters.AddWithValue("lookup", lookupId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            // The index finds the row; the comparison that decides is done again in fixed time.
            if (await reader.ReadAsync(cancellationToken) && ReceiptSecrets.LookupIdsEqual((byte[])reader[6], lookupId))
            {
                found = new CaseView(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateOnly>(3),
                    reader.GetInt64(4), (byte[])reader[5], (byte[])reader[7], (byte[])reader[8], []);
            }
        }
        if (found is null)
        {
            return null;
        }
        var followUps = new List<FollowUpView>();
        await using (var command = new NpgsqlCommand("""
            SELECT e.seq, e.entry_day, p.ciphertext FROM intake.ledger_entries e JOIN intake.ledger_payloads p ON p.seq = e.seq
            WHERE e.case_id = @id AND e.kind = @kind ORDER BY e.seq
            """, connection))
        {
            command.Parameters.AddWithValue("id", found.Id);
            command.Parameters.AddWithValue("kind", (short)LedgerEntryKind.FollowUp);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                using var record = JsonDocument.Parse((byte[])reader[2]);
                followUps.Add(new FollowUpView(reader.GetInt64(0), reader.GetFieldValue<DateOnly>(1),
                    Base64UrlStrict.TryDecode(record.RootElement.GetProperty("stream").GetString()) ?? []));
            }
        }
        // Replies sealed to her reply key; notes for the case team never are, so they never appear here.
        var replies = new List<ReplyView>();
        using (var submission = JsonDocument.Parse(found.SubmissionRecord))
        {
            var replyKey = Base64UrlStrict.TryDecode(submission.RootElement.GetProperty("replyKey").GetString()) ?? [];
            await using var command = new NpgsqlCommand("""
                SELECT e.seq, e.entry_day, p.ciphertext, w.wrapped
                FROM intake.ledger_entries e
                JOIN intake.ledger_payloads p ON p.seq = e.seq
                JOIN intake.ledger_wrapped_keys w ON w.seq = e.seq AND w.key_id = @kid
                WHERE e.case_id = @id AND e.kind = @kind ORDER BY e.seq
                """, connection);
            command.Parameters.AddWithValue("id", found.Id);
            command.Parameters.AddWithValue("kid", RecipientKeys.KeyId(replyKey));
            command.Parameters.AddWithValue("kind", (short)LedgerEntryKind.Reply);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                replies.Add(new ReplyView(reader.GetInt64(0), reader.GetFieldValue<DateOnly>(1), (byte[])reader[2], (byte[])reader[3]));
            }
        }
        return found with { FollowUps = followUps, Replies = replies };
    }

    /// <summary>Adds a follow-up stream (purpose 0x03) to the case; one ledger entry, claiming the upload in the same transaction.</summary>
    public async Task<AppendedEntry> AddFollowUpAsync(CaseView view, Guid upload, CancellationToken cancellationToken = default)
    {
        if (view.Status == "withdrawn")
        {
            throw new SubmissionException(SubmissionFailure.Conflict, "lookupId", "This case was withdrawn.");
        }
        byte[] header;
        await using (var select = dataSource.CreateCommand("SELECT header, total_length, received_length, case_id FROM intake.uploads WHERE id = @id"))
        {
            select.Parameters.AddWithValue("id", upload);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new SubmissionException(SubmissionFailure.Invalid, "upload", "There is no upload with this id.");
            }
            if (!reader.IsDBNull(3))
            {
                throw new SubmissionException(SubmissionFailure.Conflict, "upload", "This upload already belongs to a case.");
            }
            if (reader.GetInt64(1) != reader.GetInt64(2))
            {
                throw new SubmissionException(SubmissionFailure.Invalid, "upload", "The upload is incomplete.");
            }
            header = (byte[])reader[0];
        }
        if (StreamHeader.TryDecode(header, out _) is not { Purpose: StreamPurpose.FollowUp })
        {
            throw new SubmissionException(SubmissionFailure.Invalid, "upload", "A follow-up is a stream with the follow-up purpose (docs/crypto.md §5.2).");
        }
        var digest = await uploads.DigestAsync(upload, cancellationToken);
        var record = JsonSerializer.SerializeToUtf8Bytes(new
        {
            v = 1,
            kind = "follow-up",
            parent = Base64UrlStrict.Encode(view.HeaderHash),
            stream = Base64UrlStrict.Encode(header),
            streamDigest = Base64UrlStrict.Encode(digest),
        });
        return await writer.AppendAsync(new LedgerAppend(LedgerEntryKind.FollowUp, view.Id, record,
            Companion: async (connection, _, ct) =>
            {
                await using var claim = new NpgsqlCommand(
                    "UPDATE intake.uploads SET case_id = @case WHERE id = @id AND case_id IS NULL AND received_length = total_length", connection);
                claim.Parameters.AddWithValue("case", view.Id);
                claim.Parameters.AddWithValue("id", upload);
                if (await claim.ExecuteNonQueryAsync(ct) != 1)
                {
                    throw new SubmissionException(SubmissionFailure.Conflict, "upload", "This upload was claimed meanwhile.");
                }
            }), cancellationToken);
    }

    /// <summary>
    /// Withdraws the case at once: the end of any legal hold, a tombstone for every entry that carried ciphertext, then the
    /// purge of all ciphertext, wrapped keys, streams, the vault and the case row. Safe to repeat
    /// after a crash: each step skips what is already done.
    /// </summary>
    public async Task WithdrawAsync(Guid caseId, CancellationToken cancellationToken = default)
    {
        // Her withdrawal wins over a legal hold (docs/retention.md); each hold's end is recorded first.
        await holds.EndForWithdrawalAsync(caseId, cancellationToken);
        await CasePurge.RunAsync(dataSource, purger, purgerDataSource, caseId, JsonSerializer.SerializeToUtf8Bytes(new { reason = "withdrawn" }), cancellationToken);
    }

    /// <summary>
    /// After a backup is restored: the cases that purge tombstones from a newer audit export name
    /// and that this database holds again, one per case with the reason of its last tombstone, in
    /// the order they were purged. Each must be named by a tombstone of its own submission entry
    /// (every purge tombstones it): otherwise the export does not describe this database.
    /// </summary>
    /// <exception cref="InvalidDataException">A case held here is named, but not its submission entry.</exception>
    public async Task<IReadOnlyList<Audit.ExportedTombstone>> HeldAgainAsync(IReadOnlyCollection<Audit.ExportedTombstone> tombstones,
        CancellationToken cancellationToken = default)
    {
        var named = tombstones.GroupBy(t => t.CaseId).ToDictionary(g => g.Key, g => g.ToList());
        await using var command = dataSource.CreateCommand("SELECT id, submission_seq FROM intake.cases WHERE id = ANY(@ids)");
        command.Parameters.AddWithValue("ids", named.Keys.ToArray());
        var held = new List<Audit.ExportedTombstone>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (id, submission) = (reader.GetGuid(0), reader.GetInt64(1));
            var ofCase = named[id];
            if (!ofCase.Any(t => t.PurgedSequence == submission))
            {
                var first = ofCase.Min(t => t.Sequence);
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"the tombstone at seq {first} names a case this database holds, but no tombstone of the export names that case's submission (entry {submission}): the export does not describe this ledger, or was changed"));
            }
            held.Add(ofCase.MaxBy(t => t.Sequence)!);
        }
        return [.. held.OrderBy(t => t.Sequence)];
    }

    /// <summary>
    /// Purges again a case a restore brought back (<see cref="HeldAgainAsync"/>), as it was purged
    /// before. It is first marked as a purge begun (<c>intake.case_purges</c>), as the retention job
    /// marks its own, so that a run cut short is finished by the job. Then a withdrawal goes as
    /// <see cref="WithdrawAsync"/> goes; any other reason ends what is left of the case's holds as the
    /// job does and records that reason on the new tombstones.
    /// </summary>
    public async Task PurgeAgainAsync(Audit.ExportedTombstone named, CancellationToken cancellationToken = default)
    {
        await using (var mark = dataSource.CreateCommand(
            "INSERT INTO intake.case_purges (case_id, started_on) VALUES (@id, (now() AT TIME ZONE 'utc')::date) ON CONFLICT DO NOTHING"))
        {
            mark.Parameters.AddWithValue("id", named.CaseId);
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }
        if (named.PurgeReason == "withdrawn")
        {
            await WithdrawAsync(named.CaseId, cancellationToken);
            return;
        }
        await holds.EndForPurgeAsync(named.CaseId, cancellationToken);
        await CasePurge.RunAsync(dataSource, purger, purgerDataSource, named.CaseId,
            JsonSerializer.SerializeToUtf8Bytes(new { reason = named.PurgeReason }), cancellationToken);
    }
}
