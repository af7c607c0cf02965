using Intake.Core.Ledger;

namespace Intake.Storage.Ledger;

/// <summary>What a caller asks the ledger to record. The server never sees plaintext, so the
/// payload is ciphertext (or nothing, for entries such as status changes).</summary>
/// <param name="Companion">Optional writes that must commit with the entry or not at all (e.g. the
/// case row of a submission); run inside the ledger's transaction with the entry's sequence number.
/// Throw <see cref="LedgerAppendException"/> to refuse the entry.</param>
public sealed record LedgerAppend(
    LedgerEntryKind Kind,
    Guid? CaseId = null,
    ReadOnlyMemory<byte>? Payload = null,
    IReadOnlyList<WrappedKey>? WrappedKeys = null,
    long? PurgedSequence = null,
    ReadOnlyMemory<byte> Metadata = default,
    LedgerCompanion? Companion = null);

/// <summary>Writes that belong with a ledger entry, given the connection (in the ledger's transaction) and the entry's sequence number.</summary>
public delegate Task LedgerCompanion(Npgsql.NpgsqlConnection connection, long sequence, CancellationToken cancellationToken);

/// <summary>A content key sealed to one recipient key (16-byte key id, see docs/crypto.md).</summary>
public sealed record WrappedKey(ReadOnlyMemory<byte> KeyId, ReadOnlyMemory<byte> Wrapped);

/// <summary>A committed entry: its position in the log and its leaf hash.</summary>
public sealed record AppendedEntry(long Sequence, byte[] LeafHash, DateOnly Day);

/// <summary>The append was refused (bad request) or not committed (database failure); nothing of it is stored.</summary>
public class LedgerAppendException(string message, Exception? inner = null) : Exception(message, inner);
