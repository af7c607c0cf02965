using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Npgsql;

namespace Intake.Storage.Ledger;

/// <summary>The first inconsistency found, in plain words.</summary>
/// <param name="Sequence">The entry it concerns, when it concerns one.</param>
/// <param name="Reason">One sentence, starting with what it concerns ("entry 17 is missing").</param>
/// <param name="CheckpointTreeSize">The checkpoint that caught it, when a checkpoint did.</param>
/// <param name="RangeStart">With a checkpoint: the first entry that may differ.</param>
/// <param name="RangeEnd">With a checkpoint: the last entry that may differ.</param>
public sealed record LedgerProblem(long? Sequence, string Reason, long? CheckpointTreeSize = null, long? RangeStart = null, long? RangeEnd = null)
{
    public override string ToString() => Reason;
}

/// <summary>The outcome of <see cref="LedgerVerifier"/>: how much was checked and the first problem, if any.</summary>
public sealed record LedgerVerificationResult(long EntriesChecked, int CheckpointsChecked, long TreeSize, byte[] RootHash, LedgerProblem? Problem)
{
    public bool Ok => Problem is null;
}

/// <summary>
/// Recomputes the whole log from the database and compares it with everything stored about it:
/// leaf hashes, ciphertext hashes, purges, tree nodes, the head and every signed checkpoint.
/// One ordered pass over the entries, in one database snapshot, in constant memory.
/// </summary>
/// <remarks>
/// The checkpoint key is given by the caller and never read from the database: whoever can write
/// the database could otherwise replace it. Inconsistencies are results, not exceptions; only a
/// database that cannot be read throws.
/// </remarks>
public sealed class LedgerVerifier(NpgsqlDataSource dataSource, NoteVerifierKey trustedKey, string? origin = null)
{
    private NpgsqlDataSource DataSource => dataSource;

    /// <summary>Verifies the whole log.</summary>
    public Task<LedgerVerificationResult> VerifyAsync(CancellationToken cancellationToken = default) =>
        VerifyAsync(null, cancellationToken);

    /// <summary>
    /// Verifies the whole log and that it extends <paramref name="savedCheckpointNote"/>, a signed
    /// checkpoint someone kept from earlier: its signature verifies with the trusted key, the log's
    /// recomputed root at its size is its root, and a consistency proof from it to the current head
    /// verifies. This is what detects a history rewritten by someone holding the signing key.
    /// </summary>
    public async Task<LedgerVerificationResult> VerifyExtendsAsync(string savedCheckpointNote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(savedCheckpointNote);
        return await VerifyAsync(savedCheckpointNote, cancellationToken);
    }

    private async Task<LedgerVerificationResult> VerifyAsync(string? savedNote, CancellationToken cancellationToken)
    {
        CheckpointBody? saved = null;
        if (savedNote is not null)
        {
            var (body, problem) = OpenNote(savedNote, "the saved checkpoint");
            if (problem is not null)
            {
                return new LedgerVerificationResult(0, 0, 0, MerkleHash.EmptyTreeHash(), new LedgerProblem(null, problem));
            }
            saved = body;
        }

        var run = new Run(this, saved);
        await run.ExecuteAsync(cancellationToken);
        if (run.Problem is null && saved is not null)
        {
            run.Problem = await CheckConsistencyAsync(saved, cancellationToken);
        }
        run.Problem ??= await CheckStreamsAsync(cancellationToken);
        return new LedgerVerificationResult(run.EntriesChecked, run.CheckpointsChecked, run.Frontier.Size, run.Frontier.Root(), run.Problem);
    }

    // The streams of a submission or follow-up (testimony, attachments, messages) live in
    // upload_parts; the entry's record commits to the SHA-256 of each. A stream still present must
    // match; one missing while its entry still has ciphertext was removed without a purge.
    private async Task<LedgerProblem?> CheckStreamsAsync(CancellationToken cancellationToken)
    {
        var entries = new List<(long Sequence, byte[] Record, Guid? Case)>();
        await using (var command = dataSource.CreateCommand("""
            SELECT e.seq, p.ciphertext, e.case_id FROM intake.ledger_entries e JOIN intake.ledger_payloads p ON p.seq = e.seq
            WHERE e.kind IN (1, 2) ORDER BY e.seq
            """))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                entries.Add((reader.GetInt64(0), (byte[])reader[1], reader.IsDBNull(2) ? null : reader.GetGuid(2)));
            }
        }
        var uploads = new Cases.UploadStore(dataSource);
        foreach (var (sequence, record, caseId) in entries)
        {
            List<(byte[] Header, byte[] Digest)> streams;
            try
            {
                streams = StreamsOf(record);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                return new LedgerProblem(sequence, $"entry {sequence}: its record is not readable");
            }
            for (var i = 0; i < streams.Count; i++)
            {
                await using var find = dataSource.CreateCommand("SELECT id FROM intake.uploads WHERE case_id = @case AND header = @header");
                find.Parameters.AddWithValue("case", (object?)caseId ?? DBNull.Value);
                find.Parameters.AddWithValue("header", streams[i].Header);
                if (await find.ExecuteScalarAsync(cancellationToken) is not Guid upload)
                {
                    return new LedgerProblem(sequence, $"entry {sequence}: stream {i} is missing and no purge was recorded");
                }
                if (!MerkleHash.FixedTimeEquals(await uploads.DigestAsync(upload, cancellationToken), streams[i].Digest))
                {
                    return new LedgerProblem(sequence, $"entry {sequence}: stream {i} does not match the digest recorded in the ledger");
                }
            }
        }
        return null;
    }

    // Only payloads written by the intake flow name streams; any other payload (the ledger also
    // records opaque ciphertext) is committed by its hash alone and checked in the main pass.
    private static List<(byte[] Header, byte[] Digest)> StreamsOf(byte[] record)
    {
        if (record.Length == 0 || record[0] != (byte)'{')
        {
            return [];
        }
        System.Text.Json.JsonDocument document;
        try
        {
            document = System.Text.Json.JsonDocument.Parse(record);
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
        using var _ = document;
        var root = document.RootElement;
        if (root.ValueKind != System.Text.Json.JsonValueKind.Object
            || !root.TryGetProperty("kind", out var kind) || kind.GetString() is not ("submission" or "follow-up"))
        {
            return [];
        }
        byte[] Bytes(System.Text.Json.JsonElement e) => Base64UrlStrict.TryDecode(e.GetString()) ?? throw new FormatException();
        if (root.TryGetProperty("streamDigests", out var digests))
        {
            var headers = root.GetProperty("streams").EnumerateArray().Select(Bytes).ToList();
            var hashes = digests.EnumerateArray().Select(Bytes).ToList();
            return headers.Count == hashes.Count ? headers.Zip(hashes).ToList() : throw new FormatException();
        }
        return [(Bytes(root.GetProperty("stream")), Bytes(root.GetProperty("streamDigest")))];
    }

    // A consistency proof, as a third party would ask for it, from the saved checkpoint to the head.
    private async Task<LedgerProblem?> CheckConsistencyAsync(CheckpointBody saved, CancellationToken cancellationToken)
    {
        var reader = new LedgerReader(dataSource);
        var head = await reader.GetHeadAsync(cancellationToken);
        IReadOnlyList<byte[]> proof;
        try
        {
            proof = await reader.GetConsistencyProofAsync(saved.TreeSize, head.TreeSize, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            return new LedgerProblem(null, $"the saved checkpoint at size {saved.TreeSize}: no consistency proof to the head: {ex.Message}");
        }
        return MerkleVerifier.VerifyConsistency(saved.TreeSize, head.TreeSize, saved.RootHash.Span, head.RootHash, proof)
            ? null
            : new LedgerProblem(null, $"the saved checkpoint at size {saved.TreeSize}: the consistency proof to the head at size {head.TreeSize} does not verify");
    }

    // Signature with the trusted key, then the checkpoint layout and origin.
    private (CheckpointBody? Body, string? Problem) OpenNote(string note, string what)
    {
        string body;
        try
        {
            (body, _) = new NoteVerifier([trustedKey]).Verify(note);
        }
        catch (NoteVerificationException ex)
        {
            return (null, ex.Failure switch
            {
                NoteFailure.UnknownKey => $"{what} is not signed by the trusted key \"{trustedKey.KeyName}\"",
                NoteFailure.BadSignature => $"{what}: its signature does not verify with the trusted key (the note was altered)",
                _ => $"{what} is not a well-formed signed note ({ex.Failure})",
            });
        }
        CheckpointBody checkpoint;
        try
        {
            checkpoint = CheckpointBody.Parse(body);
        }
        catch (FormatException)
        {
            return (null, $"{what} is signed but is not a checkpoint");
        }
        if (origin is not null && checkpoint.Origin != origin)
        {
            return (null, $"{what} is for origin \"{checkpoint.Origin}\", not \"{origin}\"");
        }
        return (checkpoint, null);
    }

    private static string Hex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash)[..16] + "…";

    /// <summary>One verification pass: the state of the recomputation and the first problem.</summary>
    private sealed class Run(LedgerVerifier owner, CheckpointBody? saved)
    {
        public MerkleFrontier Frontier { get; } = new();
        public LedgerProblem? Problem { get; set; }
        public long EntriesChecked { get; private set; }
        public int CheckpointsChecked { get; private set; }

        private readonly Queue<(long TreeSize, byte[] RootHash, DateOnly IssuedOn, string? Note)> _checkpoints = new();
        private long _lastMatchingCheckpoint;
        private NodeStream? _nodes;

        public async Task ExecuteAsync(CancellationToken cancellationToken)
        {
            // One snapshot for everything: the writer may append meanwhile; what was committed
            // when the verification began is what is checked.
            await using var connection = await owner.DataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            string snapshot;
            await using (var export = new NpgsqlCommand("SELECT pg_export_snapshot()", connection, transaction))
            {
                snapshot = (string)(await export.ExecuteScalarAsync(cancellationToken))!;
            }

            var (headSize, headFrontier, headRoot) = await ReadHeadAsync(connection, transaction, cancellationToken);
            await LoadCheckpointsAsync(connection, transaction, cancellationToken);

            await using var nodeConnection = await owner.DataSource.OpenConnectionAsync(cancellationToken);
            await using var nodeTransaction = await nodeConnection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await using (var import = new NpgsqlCommand($"SET TRANSACTION SNAPSHOT '{snapshot.Replace("'", "''", StringComparison.Ordinal)}'", nodeConnection, nodeTransaction))
            {
                await import.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var nodes = await NodeStream.OpenAsync(nodeConnection, nodeTransaction, cancellationToken);
            _nodes = nodes;

            CheckCheckpointsAtCurrentSize();
            if (Problem is null)
            {
                await ReadEntriesAsync(connection, transaction, headSize, cancellationToken);
            }
            if (Problem is null && Frontier.Size < headSize)
            {
                Problem = new LedgerProblem(Frontier.Size, $"entry {Frontier.Size} is missing (the head says the log has {headSize} entries, {Frontier.Size} were found)");
            }
            if (Problem is null && await nodes.NextAsync(cancellationToken) is { } extra)
            {
                Problem = new LedgerProblem(extra.CompletedBy, $"tree node (level {extra.Level}, index {extra.Index}) is stored but is not part of the log of {Frontier.Size} entries");
            }
            if (Problem is null
                && (headSize != Frontier.Size || !headFrontier.AsSpan().SequenceEqual(Frontier.ToBytes()) || !headRoot.AsSpan().SequenceEqual(Frontier.Root())))
            {
                Problem = new LedgerProblem(null, $"the head (size {headSize}, root {Hex(headRoot)}) does not match the log recomputed from its entries (size {Frontier.Size}, root {Hex(Frontier.Root())})");
            }
            if (Problem is null && _checkpoints.TryPeek(out var beyond))
            {
                var what = beyond.Note is null ? "the saved checkpoint" : "checkpoint";
                Problem = new LedgerProblem(Frontier.Size, $"{what} at size {beyond.TreeSize} is beyond the end of the log ({Frontier.Size} entries): entries were removed or the log was rolled back",
                    beyond.TreeSize, _lastMatchingCheckpoint, beyond.TreeSize - 1);
            }
            if (Problem is null)
            {
                Problem = await FindOrphansAsync(connection, transaction, cancellationToken);
            }
            await transaction.RollbackAsync(cancellationToken);
        }

        private static async Task<(long, byte[], byte[])> ReadHeadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand("SELECT tree_size, frontier, root_hash FROM intake.ledger_head", connection, transaction);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new InvalidOperationException("The ledger head row is missing: the schema is not migrated or the row was deleted.");
            }
            return (reader.GetInt64(0), (byte[])reader[1], (byte[])reader[2]);
        }

        // Stored checkpoints, and the saved one merged in by size (the saved one is checked first at equal size).
        private async Task LoadCheckpointsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            var all = new List<(long TreeSize, byte[] RootHash, DateOnly IssuedOn, string? Note)>();
            await using (var command = new NpgsqlCommand("SELECT tree_size, root_hash, issued_on, note FROM intake.ledger_checkpoints ORDER BY tree_size", connection, transaction))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    all.Add((reader.GetInt64(0), (byte[])reader[1], reader.GetFieldValue<DateOnly>(2), reader.GetString(3)));
                }
            }
            if (saved is not null)
            {
                all.Add((saved.TreeSize, saved.RootHash.ToArray(), saved.Date, null));
            }
            foreach (var checkpoint in all.OrderBy(c => c.TreeSize).ThenBy(c => c.Note is null ? 0 : 1))
            {
                _checkpoints.Enqueue(checkpoint);
            }
        }

        private async Task ReadEntriesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long headSize, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand("""
                SELECT e.seq, e.kind, e.entry_day, e.case_id, e.payload_hash, e.purged_seq, e.metadata, e.leaf_hash,
                       EXISTS (SELECT 1 FROM intake.ledger_entries t WHERE t.purged_seq = e.seq AND t.kind = 10) AS purged,
                       EXISTS (SELECT 1 FROM intake.ledger_wrapped_keys k WHERE k.seq = e.seq) AS has_keys,
                       p.seq IS NOT NULL AS has_payload,
                       p.ciphertext
                FROM intake.ledger_entries e
                LEFT JOIN intake.ledger_payloads p ON p.seq = e.seq
                ORDER BY e.seq
                """, connection, transaction);
            // Sequential access: ciphertext is hashed as a stream, never held whole.
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var expected = Frontier.Size;
                var leaf = LedgerReader.ReadLeaf(reader);
                var sequence = leaf.Sequence;
                if (sequence != expected)
                {
                    Problem = sequence > expected
                        ? new LedgerProblem(expected, sequence == expected + 1 ? $"entry {expected} is missing" : $"entries {expected}..{sequence - 1} are missing")
                        : new LedgerProblem(sequence, $"entry {sequence} appears twice");
                    return;
                }
                if (sequence >= headSize)
                {
                    Problem = new LedgerProblem(sequence, $"entry {sequence} is not covered by the head, which says the log has {headSize} entries");
                    return;
                }
                var storedLeafHash = (byte[])reader[7];
                var purged = reader.GetBoolean(8);
                var hasKeys = reader.GetBoolean(9);
                var hasPayload = reader.GetBoolean(10);
                byte[]? ciphertextHash = null;
                if (hasPayload)
                {
                    await using var ciphertext = await reader.GetStreamAsync(11, cancellationToken);
                    ciphertextHash = await SHA256.HashDataAsync(ciphertext, cancellationToken);
                }

                Problem = CheckEntry(leaf, storedLeafHash, purged, hasKeys, ciphertextHash);
                if (Problem is not null)
                {
                    return;
                }
                // Problem stays null above, so the stored leaf hash is the recomputed one.
                var completed = new List<(int Level, long Index, byte[] Hash)>(2);
                Frontier.Append(storedLeafHash, (level, index, hash) => completed.Add((level, index, hash)));
                EntriesChecked++;
                foreach (var (level, index, hash) in completed)
                {
                    Problem = await _nodes!.CheckAsync(sequence, level, index, hash, cancellationToken);
                    if (Problem is not null)
                    {
                        return;
                    }
                }
                CheckCheckpointsAtCurrentSize();
                if (Problem is not null)
                {
                    return;
                }
            }
        }

        private static LedgerProblem? CheckEntry(LedgerLeaf leaf, byte[] storedLeafHash, bool purged, bool hasKeys, byte[]? ciphertextHash)
        {
            var sequence = leaf.Sequence;
            byte[] leafHash;
            try
            {
                leafHash = leaf.LeafHash();
            }
            catch (ArgumentException ex)
            {
                return new LedgerProblem(sequence, $"entry {sequence} is not a valid ledger entry: {ex.Message}");
            }
            if (!leafHash.AsSpan().SequenceEqual(storedLeafHash))
            {
                return new LedgerProblem(sequence, $"entry {sequence}: stored leaf hash does not match the entry's contents");
            }
            if (ciphertextHash is not null)
            {
                if (leaf.PayloadHash is null)
                {
                    return new LedgerProblem(sequence, $"entry {sequence}: ciphertext is stored for an entry that commits to none");
                }
                if (!ciphertextHash.AsSpan().SequenceEqual(leaf.PayloadHash))
                {
                    return new LedgerProblem(sequence, $"entry {sequence}: ciphertext does not match its hash");
                }
            }
            else if (leaf.PayloadHash is not null && !purged)
            {
                return new LedgerProblem(sequence, $"entry {sequence}: ciphertext is missing and no purge was recorded");
            }
            if (hasKeys && leaf.PayloadHash is null)
            {
                return new LedgerProblem(sequence, $"entry {sequence}: wrapped keys are stored for an entry without a payload");
            }
            // Wrapped keys without ciphertext are left only by a recorded purge: the payload checks
            // above already refused a missing ciphertext without one.
            // A tombstone names an earlier entry (LedgerLeaf refuses any other), and all earlier
            // entries were found without gaps, so the entry it names exists.
            return null;
        }

        private void CheckCheckpointsAtCurrentSize()
        {
            while (Problem is null && _checkpoints.TryPeek(out var checkpoint) && checkpoint.TreeSize == Frontier.Size)
            {
                _checkpoints.Dequeue();
                Problem = CheckCheckpoint(checkpoint);
                if (Problem is null)
                {
                    if (checkpoint.Note is not null)
                    {
                        CheckpointsChecked++;
                    }
                    _lastMatchingCheckpoint = checkpoint.TreeSize;
                }
            }
        }

        private LedgerProblem? CheckCheckpoint((long TreeSize, byte[] RootHash, DateOnly IssuedOn, string? Note) stored)
        {
            var size = stored.TreeSize;
            var what = stored.Note is null ? $"the saved checkpoint at size {size}" : $"checkpoint at size {size}";
            if (stored.Note is not null)
            {
                var (body, problem) = owner.OpenNote(stored.Note, what);
                if (problem is not null)
                {
                    return new LedgerProblem(null, problem, size);
                }
                if (body!.TreeSize != size || !body.RootHash.Span.SequenceEqual(stored.RootHash) || body.Date != stored.IssuedOn)
                {
                    return new LedgerProblem(null, $"{what}: the stored row does not match its signed note", size);
                }
            }
            var root = Frontier.Root();
            if (root.AsSpan().SequenceEqual(stored.RootHash))
            {
                return null;
            }
            var first = Math.Min(_lastMatchingCheckpoint, Math.Max(size - 1, 0));
            var last = Math.Max(size - 1, 0);
            var range = first == last
                ? string.Create(CultureInfo.InvariantCulture, $"entry {first}")
                : string.Create(CultureInfo.InvariantCulture, $"among entries {first}..{last}");
            return new LedgerProblem(size == 0 ? null : first,
                $"{what} does not match the log: the first difference is {range}", size, first, last);
        }

        // Payload and key rows for entries that do not exist (possible only with constraints bypassed).
        private static async Task<LedgerProblem?> FindOrphansAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand("""
                SELECT min(o.seq) FROM (
                    SELECT p.seq FROM intake.ledger_payloads p WHERE NOT EXISTS (SELECT 1 FROM intake.ledger_entries e WHERE e.seq = p.seq)
                    UNION ALL
                    SELECT k.seq FROM intake.ledger_wrapped_keys k WHERE NOT EXISTS (SELECT 1 FROM intake.ledger_entries e WHERE e.seq = k.seq)
                ) o
                """, connection, transaction);
            return await command.ExecuteScalarAsync(cancellationToken) is long orphan
                ? new LedgerProblem(orphan, $"entry {orphan}: ciphertext or wrapped keys are stored for an entry that does not exist")
                : null;
        }
    }

    /// <summary>
    /// The stored tree nodes in the order the recomputation completes them (by the last leaf they
    /// cover, then by level), merged against the recomputed ones without holding them in memory.
    /// </summary>
    private sealed class NodeStream : IAsyncDisposable
    {
        private readonly NpgsqlCommand _command;
        private readonly NpgsqlDataReader _reader;
        private (int Level, long Index, long CompletedBy, byte[] Hash)? _peeked;

        private NodeStream(NpgsqlCommand command, NpgsqlDataReader reader)
        {
            _command = command;
            _reader = reader;
        }

        public static async Task<NodeStream> OpenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            var command = new NpgsqlCommand("""
                SELECT level, idx, hash, ((idx + 1) << level::int) - 1 AS completed_by
                FROM intake.ledger_nodes
                ORDER BY completed_by, level
                """, connection, transaction);
            return new NodeStream(command, await command.ExecuteReaderAsync(cancellationToken));
        }

        public async Task<(int Level, long Index, long CompletedBy, byte[] Hash)?> NextAsync(CancellationToken cancellationToken)
        {
            if (_peeked is { } peeked)
            {
                _peeked = null;
                return peeked;
            }
            return await _reader.ReadAsync(cancellationToken)
                ? (_reader.GetInt16(0), _reader.GetInt64(1), _reader.GetInt64(3), (byte[])_reader[2])
                : null;
        }

        /// <summary>Checks the next recomputed node, completed by entry <paramref name="sequence"/>, against the store.</summary>
        public async Task<LedgerProblem?> CheckAsync(long sequence, int level, long index, byte[] hash, CancellationToken cancellationToken)
        {
            var stored = await NextAsync(cancellationToken);
            if (stored is not { } node || node.CompletedBy > sequence || (node.CompletedBy == sequence && node.Level > level))
            {
                _peeked = stored;
                return new LedgerProblem(sequence, $"entry {sequence}: tree node (level {level}, index {index}) is missing");
            }
            if (node.CompletedBy < sequence || node.Level < level)
            {
                return new LedgerProblem(node.CompletedBy, $"tree node (level {node.Level}, index {node.Index}) is stored but is not part of the tree");
            }
            return node.Hash.AsSpan().SequenceEqual(hash)
                ? null
                : new LedgerProblem(sequence, $"entry {sequence}: tree node (level {level}, index {index}) does not match the entries below it");
        }

        public async ValueTask DisposeAsync()
        {
            await _reader.DisposeAsync();
            await _command.DisposeAsync();
        }
    }
}
