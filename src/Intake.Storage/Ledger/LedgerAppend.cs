using Intake.Core.Ledger;

namespace Intake.Storage.Ledger;

/// <summary>What a caller asks the ledger to record. The server never sees plaintext, so the
/// payload is ciphertext (or nothing, for entries such as status changes).</summary>
/// <param name="Companion">Optional writes that must commit with the entry or not at all (e.g. the
/// case row of a submission); run inside the ledger's transaction with the entry's sequence number.
/// Throw <see cref="LedgerAppendException"/> to refuse the entry.</param>
/// <param name="Rows">Optional: the same writes as <paramref name="Companion"/>, as a row that a
/// <see cref="ILedgerRowsWriter"/> writes together with the rows of the other entries of the batch,
/// in the batch's single round trip. When the rows of a batch are refused together, the writer
/// rolls back and writes the batch again entry by entry through each <paramref name="Companion"/>,
/// which names the entry at fault; so an entry with rows must also have its companion.</param>
public sealed record LedgerAppend(
    LedgerEntryKind Kind,
    Guid? CaseId = null,
    ReadOnlyMemory<byte>? Payload = null,
    IReadOnlyList<WrappedKey>? WrappedKeys = null,
    long? PurgedSequence = null,
    ReadOnlyMemory<byte> Metadata = default,
    LedgerCompanion? Companion = null,
    LedgerRows? Rows = null);

/// <summary>One entry's row for a <see cref="ILedgerRowsWriter"/>.</summary>
public sealed record LedgerRows(ILedgerRowsWriter Writer, object Row);

/// <summary>
/// Writes the rows of many ledger entries of one batch at once (set-based companions), so that the
/// work the single writer does per entry is a few array elements, not a statement.
/// </summary>
public interface ILedgerRowsWriter
{
    /// <summary>
    /// Adds to <paramref name="batch"/> the commands that write <paramref name="rows"/> (each with its
    /// entry's sequence number), and returns the check to run once they executed: it throws
    /// <see cref="LedgerAppendException"/> when the results show that some row was refused.
    /// </summary>
    Action Add(Npgsql.NpgsqlBatch batch, IReadOnlyList<(long Sequence, object Row)> rows);
}

/// <summary>Writes that belong with a ledger entry, given the connection (in the ledger's transaction) and the entry's sequence number.</summary>
public delegate Task LedgerCompanion(Npgsql.NpgsqlConnection connection, long sequence, CancellationToken cancellationToken);

/// <summary>A content key sealed to one recipient key (16-byte key id, see docs/crypto.md).</summary>
public sealed record WrappedKey(ReadOnlyMemory<byte> KeyId, ReadOnlyMemory<byte> Wrapped);

/// <summary>A committed entry: its position in the log and its leaf hash.</summary>
public sealed record AppendedEntry(long Sequence, byte[] LeafHash, DateOnly Day);

/// <summary>The append was refused (bad request) or not committed (database failure); nothing of it is stored.</summary>
public class LedgerAppendException(string message, Exception? inner = null) : Exception(message, inner);
