using System.Numerics;
using Intake.Core.Ledger;
using Npgsql;

namespace Intake.Storage.Ledger;

/// <summary>The current size and root of the log.</summary>
public sealed record LedgerHead(long TreeSize, byte[] RootHash);

/// <summary>A stored, signed checkpoint.</summary>
public sealed record StoredCheckpoint(long TreeSize, byte[] RootHash, DateOnly IssuedOn, string Note);

/// <summary>Reads entries, checkpoints and proofs. Proofs cost one query, whatever the tree size.</summary>
public sealed class LedgerReader(NpgsqlDataSource dataSource)
{
    public async Task<LedgerHead> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT tree_size, root_hash FROM intake.ledger_head");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new LedgerHead(reader.GetInt64(0), (byte[])reader[1]);
    }

    public async Task<LedgerLeaf?> GetLeafAsync(long sequence, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata FROM intake.ledger_entries WHERE seq = @seq");
        command.Parameters.AddWithValue("seq", sequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadLeaf(reader) : null;
    }

    /// <summary>Reads a leaf from the columns seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata.</summary>
    public static LedgerLeaf ReadLeaf(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        (LedgerEntryKind)reader.GetInt16(1),
        reader.GetFieldValue<DateOnly>(2),
        reader.IsDBNull(3) ? null : reader.GetGuid(3),
        reader.IsDBNull(4) ? null : (byte[])reader[4],
        reader.IsDBNull(5) ? null : reader.GetInt64(5),
        (byte[])reader[6]);

    public async Task<StoredCheckpoint?> GetLatestCheckpointAsync(CancellationToken cancellationToken = default) =>
        await ReadCheckpointAsync("SELECT tree_size, root_hash, issued_on, note FROM intake.ledger_checkpoints ORDER BY tree_size DESC LIMIT 1", null, cancellationToken);

    /// <summary>The earliest checkpoint whose tree contains the entry, if one has been issued.</summary>
    public async Task<StoredCheckpoint?> GetCheckpointCoveringAsync(long sequence, CancellationToken cancellationToken = default) =>
        await ReadCheckpointAsync(
            "SELECT tree_size, root_hash, issued_on, note FROM intake.ledger_checkpoints WHERE tree_size > @seq ORDER BY tree_size LIMIT 1",
            sequence, cancellationToken);

    public async Task<IReadOnlyList<StoredCheckpoint>> GetCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<StoredCheckpoint>();
        await using var command = dataSource.CreateCommand("SELECT tree_size, root_hash, issued_on, note FROM intake.ledger_checkpoints ORDER BY tree_size");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new StoredCheckpoint(reader.GetInt64(0), (byte[])reader[1], reader.GetFieldValue<DateOnly>(2), reader.GetString(3)));
        }
        return list;
    }

    private async Task<StoredCheckpoint?> ReadCheckpointAsync(string sql, long? sequence, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        if (sequence is { } seq)
        {
            command.Parameters.AddWithValue("seq", seq);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredCheckpoint(reader.GetInt64(0), (byte[])reader[1], reader.GetFieldValue<DateOnly>(2), reader.GetString(3))
            : null;
    }

    /// <summary>The root of the first <paramref name="treeSize"/> leaves, computed from the stored leaves and nodes (one query).</summary>
    public Task<IReadOnlyList<byte[]>> ComputeRootAsync(long treeSize, CancellationToken cancellationToken = default) =>
        ProveAsync(source => [MerkleTree.ComputeRoot(source, treeSize)], cancellationToken);

    public async Task<IReadOnlyList<byte[]>> GetInclusionProofAsync(long sequence, long treeSize, CancellationToken cancellationToken = default)
    {
        await EnsureWithinAsync(treeSize, cancellationToken);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sequence, treeSize);
        return await ProveAsync(source => MerkleTree.InclusionProof(source, sequence, treeSize), cancellationToken);
    }

    public async Task<IReadOnlyList<byte[]>> GetConsistencyProofAsync(long firstSize, long secondSize, CancellationToken cancellationToken = default)
    {
        await EnsureWithinAsync(secondSize, cancellationToken);
        ArgumentOutOfRangeException.ThrowIfNegative(firstSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstSize, secondSize);
        return await ProveAsync(source => MerkleTree.ConsistencyProof(source, firstSize, secondSize), cancellationToken);
    }

    private async Task EnsureWithinAsync(long treeSize, CancellationToken cancellationToken)
    {
        var head = await GetHeadAsync(cancellationToken);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treeSize, head.TreeSize);
    }

    // Which subtrees a proof needs depends only on the indices, not on the hashes: run the proof
    // once against a recorder, fetch every recorded subtree in one query, then run it for real.
    private async Task<IReadOnlyList<byte[]>> ProveAsync(Func<IMerkleHashSource, IReadOnlyList<byte[]>> prove, CancellationToken cancellationToken)
    {
        var recorder = new RecordingSource();
        prove(recorder);
        var hashes = await FetchSubtreesAsync(recorder.Requested, cancellationToken);
        return prove(new FetchedSource(hashes));
    }

    private async Task<Dictionary<(long, long), byte[]>> FetchSubtreesAsync(HashSet<(long Start, long Count)> wanted, CancellationToken cancellationToken)
    {
        var found = new Dictionary<(long, long), byte[]>();
        if (wanted.Count == 0)
        {
            return found;
        }
        var levels = wanted.Select(w => (short)BitOperations.Log2((ulong)w.Count)).ToArray();
        var indices = wanted.Select(w => w.Start / w.Count).ToArray();
        await using var command = dataSource.CreateCommand("""
            SELECT w.level, w.idx, CASE WHEN w.level = 0 THEN e.leaf_hash ELSE n.hash END
            FROM unnest(@levels, @indices) AS w(level, idx)
            LEFT JOIN intake.ledger_entries e ON w.level = 0 AND e.seq = w.idx
            LEFT JOIN intake.ledger_nodes n ON w.level > 0 AND n.level = w.level AND n.idx = w.idx
            """);
        command.Parameters.AddWithValue("levels", levels);
        command.Parameters.AddWithValue("indices", indices);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var level = reader.GetInt16(0);
            var index = reader.GetInt64(1);
            if (reader.IsDBNull(2))
            {
                throw new InvalidOperationException($"Ledger node (level {level}, index {index}) is missing. Run `intake ledger verify`.");
            }
            var count = 1L << level;
            found[(index * count, count)] = (byte[])reader[2];
        }
        return found;
    }

    private sealed class RecordingSource : IMerkleHashSource
    {
        private static readonly byte[] Placeholder = new byte[MerkleHash.Size];
        public HashSet<(long Start, long Count)> Requested { get; } = [];

        public byte[] SubtreeHash(long start, long count)
        {
            Requested.Add((start, count));
            return Placeholder;
        }
    }

    private sealed class FetchedSource(Dictionary<(long, long), byte[]> hashes) : IMerkleHashSource
    {
        public byte[] SubtreeHash(long start, long count) => hashes[(start, count)];
    }
}
