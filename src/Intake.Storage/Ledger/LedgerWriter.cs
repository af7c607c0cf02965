using System.Security.Cryptography;
using System.Threading.Channels;
using Intake.Core.Ledger;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Intake.Storage.Ledger;

/// <summary>
/// The single logical writer of the ledger. Concurrent appends queue here and are written in
/// batches, one transaction per batch (group append), so throughput grows with load instead of
/// paying one commit per entry.
/// </summary>
/// <remarks>
/// Across processes, each batch locks the <c>ledger_head</c> row, so several writers still make
/// one gap-free sequence: a sequence number is assigned under that lock, in the transaction that
/// inserts the entry, and a crash rolls both back. An append either commits whole (entry,
/// payload, keys, tree nodes, head) or not at all.
/// </remarks>
public sealed class LedgerWriter : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ILogger<LedgerWriter> _logger;
    private readonly LedgerWriterOptions _options;
    private readonly Channel<Pending> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LedgerWriter(NpgsqlDataSource dataSource, TimeProvider time, ILogger<LedgerWriter> logger, LedgerWriterOptions? options = null)
    {
        _dataSource = dataSource;
        _time = time;
        _logger = logger;
        _options = options ?? new LedgerWriterOptions();
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Appends one entry and returns once it is committed.</summary>
    /// <exception cref="LedgerAppendException">The entry was refused or could not be committed; nothing of it is stored.</exception>
    public async Task<AppendedEntry> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
    {
        Validate(append);
        var pending = new Pending(append, new TaskCompletionSource<AppendedEntry>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        // Once queued, the append is not cancelled: it may already be part of a committing batch.
        return await pending.Completion.Task;
    }

    private static void Validate(LedgerAppend append)
    {
        try
        {
            // The sequence is not known yet; any valid placeholder checks the rest of the leaf.
            _ = new LedgerLeaf(long.MaxValue - 1, append.Kind, DateOnly.MinValue, append.CaseId,
                append.Payload is null ? null : new byte[MerkleHash.Size], append.PurgedSequence, append.Metadata).ToLeafInput();
        }
        catch (ArgumentException ex)
        {
            throw new LedgerAppendException(ex.Message, ex);
        }
        if (append.Rows is not null && append.Companion is null)
        {
            throw new LedgerAppendException("An entry with set-based rows also needs its companion (the entry-by-entry fallback).");
        }
        if (append.Kind == LedgerEntryKind.PurgeTombstone && (append.Payload is not null || append.WrappedKeys is { Count: > 0 }))
        {
            throw new LedgerAppendException("A purge tombstone carries no ciphertext and no keys.");
        }
        if (append.WrappedKeys is { Count: > 0 } && append.Payload is null)
        {
            throw new LedgerAppendException("Wrapped keys belong to an entry with a payload.");
        }
        if (append.WrappedKeys?.Any(k => k.KeyId.Length != 16 || k.Wrapped.Length is 0 or > 1024) == true)
        {
            throw new LedgerAppendException("A wrapped key has a 16-byte key id and at most 1024 bytes.");
        }
        if (append.WrappedKeys is { } keys && keys.Select(k => Convert.ToHexString(k.KeyId.Span)).Distinct().Count() != keys.Count)
        {
            throw new LedgerAppendException("A key id appears twice.");
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(_options.MaxBatchEntries);
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                batch.Clear();
                long bytes = 0;
                while (batch.Count < _options.MaxBatchEntries && bytes < _options.MaxBatchBytes && reader.TryRead(out var next))
                {
                    batch.Add(next);
                    bytes += next.Append.Payload?.Length ?? 0;
                }
                await WriteAsync(batch);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Shutting down: what is still queued is failed below.
        }
        while (reader.TryRead(out var left))
        {
            left.Completion.TrySetException(new LedgerAppendException("The ledger writer stopped before this entry was written."));
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        var remaining = batch;
        var rowsTogether = true;
        while (remaining.Count > 0)
        {
            try
            {
                var results = await WriteBatchAsync(remaining, rowsTogether);
                for (var i = 0; i < remaining.Count; i++)
                {
                    if (results[i] is { } appended)
                    {
                        remaining[i].Completion.TrySetResult(appended);
                    }
                }
                return;
            }
            catch (RowsRefusedException)
            {
                // Some entry's rows were refused, and a set-based write cannot say which: the batch
                // rolled back; write it again entry by entry, where the companion names the culprit.
                rowsTogether = false;
            }
            catch (CompanionRefusedException refused)
            {
                // The batch's transaction rolled back whole: answer the refused entry and write
                // the rest again. Rare (a client reusing a receipt or an upload), so the common
                // case pays no savepoint round trips.
                remaining[refused.Index].Completion.TrySetException(refused.Reason);
                remaining = remaining.Where((_, i) => i != refused.Index).ToList();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever went wrong (the database, a shutdown that cancelled the write), every
                // caller of this batch must hear it: none may wait forever for an answer.
                _logger.LogError("Ledger batch of {Count} entries was not committed: {Reason}", remaining.Count, ex.Message);
                foreach (var pending in remaining)
                {
                    pending.Completion.TrySetException(new LedgerAppendException("The ledger could not commit this entry; nothing was stored.", ex));
                }
                return;
            }
        }
    }

    private async Task<AppendedEntry?[]> WriteBatchAsync(List<Pending> batch, bool rowsTogether)
    {
        var results = new AppendedEntry?[batch.Count];
        await using var connection = await _dataSource.OpenConnectionAsync(_stop.Token);
        await using var transaction = await connection.BeginTransactionAsync(_stop.Token);

        long size;
        MerkleFrontier frontier;
        await using (var head = new NpgsqlCommand("SELECT tree_size, frontier FROM intake.ledger_head FOR UPDATE", connection, transaction))
        await using (var row = await head.ExecuteReaderAsync(_stop.Token))
        {
            await row.ReadAsync(_stop.Token);
            size = row.GetInt64(0);
            frontier = MerkleFrontier.FromBytes((byte[])row[1]);
        }
        if (frontier.Size != size)
        {
            throw new InvalidOperationException($"Ledger head is inconsistent: size {size}, frontier of {frontier.Size}. Run `intake ledger verify`.");
        }

        var refused = await RefuseInvalidTombstonesAsync(connection, transaction, batch, size);
        var day = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var rows = new List<(int Index, LedgerLeaf Leaf, byte[] LeafHash)>(batch.Count);
        var nodes = new List<(int Level, long Index, byte[] Hash)>();
        var together = new Dictionary<ILedgerRowsWriter, List<(long Sequence, object Row)>>();
        for (var i = 0; i < batch.Count; i++)
        {
            if (refused.TryGetValue(i, out var reason))
            {
                batch[i].Completion.TrySetException(new LedgerAppendException(reason));
                continue;
            }
            var append = batch[i].Append;
            if (rowsTogether && append.Rows is { } entryRows)
            {
                if (!together.TryGetValue(entryRows.Writer, out var list))
                {
                    together[entryRows.Writer] = list = [];
                }
                list.Add((size + rows.Count, entryRows.Row));
            }
            else if (append.Companion is { } companion)
            {
                try
                {
                    await companion(connection, size + rows.Count, _stop.Token);
                }
                catch (Exception ex) when (ex is LedgerAppendException or PostgresException { IsTransient: false })
                {
                    throw new CompanionRefusedException(i, ex as LedgerAppendException
                        ?? new LedgerAppendException($"The entry's records were refused: {((PostgresException)ex).MessageText}", ex));
                }
            }
            var leaf = new LedgerLeaf(size + rows.Count, append.Kind, day, append.CaseId,
                append.Payload is { } payload ? SHA256.HashData(payload.Span) : null, append.PurgedSequence, append.Metadata);
            var leafHash = leaf.LeafHash();
            frontier.Append(leafHash, (level, index, hash) => nodes.Add((level, index, hash)));
            rows.Add((i, leaf, leafHash));
        }
        if (rows.Count == 0)
        {
            return results;
        }

        // One round trip for every row of the batch and the new head; with the lock above and the
        // commit below, three in all, whatever the batch size.
        await using (var write = BuildBatch(connection, rows, batch, nodes, frontier))
        {
            var checks = together.Select(group => group.Key.Add(write, group.Value)).ToList();
            try
            {
                await write.ExecuteNonQueryAsync(_stop.Token);
                foreach (var check in checks)
                {
                    check();
                }
            }
            catch (Exception ex) when (together.Count > 0 && ex is LedgerAppendException or PostgresException { IsTransient: false })
            {
                throw new RowsRefusedException(ex);
            }
        }
        await transaction.CommitAsync(_stop.Token);

        foreach (var (index, leaf, leafHash) in rows)
        {
            results[index] = new AppendedEntry(leaf.Sequence, leafHash, day);
        }
        return results;
    }

    // A tombstone must name an existing entry that has no tombstone yet (also not earlier in
    // this batch). Refusing it here keeps one bad request from failing the whole batch.
    private async Task<Dictionary<int, string>> RefuseInvalidTombstonesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<Pending> batch, long size)
    {
        var refused = new Dictionary<int, string>();
        var targets = batch.Select((p, i) => (p.Append.PurgedSequence, i)).Where(t => t.PurgedSequence.HasValue).ToList();
        if (targets.Count == 0)
        {
            return refused;
        }
        var already = new HashSet<long>();
        var tombstones = new HashSet<long>();
        await using (var command = new NpgsqlCommand("""
            SELECT purged_seq, NULL::bigint FROM intake.ledger_entries WHERE purged_seq = ANY(@targets)
            UNION ALL
            SELECT NULL, seq FROM intake.ledger_entries WHERE seq = ANY(@targets) AND kind = 10
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("targets", targets.Select(t => t.PurgedSequence!.Value).ToArray());
            await using var reader = await command.ExecuteReaderAsync(_stop.Token);
            while (await reader.ReadAsync(_stop.Token))
            {
                (reader.IsDBNull(0) ? tombstones : already).Add(reader.IsDBNull(0) ? reader.GetInt64(1) : reader.GetInt64(0));
            }
        }
        foreach (var (target, index) in targets)
        {
            if (target!.Value >= size)
            {
                refused[index] = $"Entry {target} does not exist.";
            }
            else if (tombstones.Contains(target.Value))
            {
                refused[index] = $"Entry {target} is a tombstone; tombstones are never purged.";
            }
            else if (!already.Add(target.Value))
            {
                refused[index] = $"Entry {target} already has a purge tombstone.";
            }
        }
        return refused;
    }

    private static NpgsqlBatch BuildBatch(
        NpgsqlConnection connection,
        List<(int Index, LedgerLeaf Leaf, byte[] LeafHash)> rows,
        List<Pending> batch,
        List<(int Level, long Index, byte[] Hash)> nodes,
        MerkleFrontier frontier)
    {
        var appends = rows.Select(r => (r.Leaf.Sequence, Append: batch[r.Index].Append)).ToList();
        var withPayload = appends.Where(a => a.Append.Payload is not null).ToList();
        var keys = appends.SelectMany(a => (a.Append.WrappedKeys ?? []).Select(k => (a.Sequence, Key: k))).ToList();

        var write = new NpgsqlBatch(connection);
        write.BatchCommands.Add(Command("""
            INSERT INTO intake.ledger_entries (seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash)
            SELECT * FROM unnest(@seq, @kind, @day, @case, @payload_hash, @purged, @metadata, @leaf)
            """,
            ("seq", rows.Select(r => r.Leaf.Sequence).ToArray()),
            ("kind", rows.Select(r => (short)r.Leaf.Kind).ToArray()),
            ("day", rows.Select(r => r.Leaf.Day).ToArray()),
            ("case", rows.Select(r => r.Leaf.CaseId).ToArray()),
            ("payload_hash", rows.Select(r => r.Leaf.PayloadHash).ToArray()),
            ("purged", rows.Select(r => r.Leaf.PurgedSequence).ToArray()),
            ("metadata", rows.Select(r => r.Leaf.Metadata.ToArray()).ToArray()),
            ("leaf", rows.Select(r => r.LeafHash).ToArray())));
        if (withPayload.Count > 0)
        {
            write.BatchCommands.Add(Command(
                "INSERT INTO intake.ledger_payloads (seq, ciphertext) SELECT * FROM unnest(@seq, @ciphertext)",
                ("seq", withPayload.Select(a => a.Sequence).ToArray()),
                ("ciphertext", withPayload.Select(a => a.Append.Payload!.Value.ToArray()).ToArray())));
        }
        if (keys.Count > 0)
        {
            write.BatchCommands.Add(Command(
                "INSERT INTO intake.ledger_wrapped_keys (seq, key_id, wrapped) SELECT * FROM unnest(@seq, @kid, @wrapped)",
                ("seq", keys.Select(k => k.Sequence).ToArray()),
                ("kid", keys.Select(k => k.Key.KeyId.ToArray()).ToArray()),
                ("wrapped", keys.Select(k => k.Key.Wrapped.ToArray()).ToArray())));
        }
        if (nodes.Count > 0)
        {
            write.BatchCommands.Add(Command(
                "INSERT INTO intake.ledger_nodes (level, idx, hash) SELECT * FROM unnest(@level, @idx, @hash)",
                ("level", nodes.Select(n => (short)n.Level).ToArray()),
                ("idx", nodes.Select(n => n.Index).ToArray()),
                ("hash", nodes.Select(n => n.Hash).ToArray())));
        }
        write.BatchCommands.Add(Command(
            "UPDATE intake.ledger_head SET tree_size = @size, frontier = @frontier, root_hash = @root",
            ("size", frontier.Size), ("frontier", frontier.ToBytes()), ("root", frontier.Root())));
        return write;
    }

    private static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, value));
        }
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // Let queued appends finish; a stuck database is not waited on forever.
        if (await Task.WhenAny(_loop, Task.Delay(_options.ShutdownTimeout)) != _loop)
        {
            await _stop.CancelAsync();
        }
        await _loop;
        _stop.Dispose();
    }

    private sealed record Pending(LedgerAppend Append, TaskCompletionSource<AppendedEntry> Completion);

    private sealed class RowsRefusedException(Exception reason) : Exception(reason.Message, reason);

    private sealed class CompanionRefusedException(int index, LedgerAppendException reason) : Exception(reason.Message, reason)
    {
        public int Index { get; } = index;
        public LedgerAppendException Reason { get; } = reason;
    }
}

/// <summary>Batching limits of the ledger writer.</summary>
public sealed class LedgerWriterOptions
{
    public int QueueCapacity { get; set; } = 10_000;
    public int MaxBatchEntries { get; set; } = 512;
    public long MaxBatchBytes { get; set; } = 32L * 1024 * 1024;
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
