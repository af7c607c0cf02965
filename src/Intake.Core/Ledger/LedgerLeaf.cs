using System.Buffers.Binary;

namespace Intake.Core.Ledger;

/// <summary>
/// Everything a ledger leaf commits to: its position, kind, day, case, the hash of its ciphertext
/// (never the plaintext, which the server does not have), the entry a tombstone purges, and
/// non-secret metadata. The leaf hash is RFC 9162's SHA-256(0x00 || <see cref="ToLeafInput"/>).
/// </summary>
/// <remarks>
/// The sequence number is inside the leaf so that a row moved to another position no longer
/// matches its own hash: verification names the first such row. Times are days, because
/// nothing tied to a survivor is kept more precisely.
/// </remarks>
public sealed record LedgerLeaf(
    long Sequence,
    LedgerEntryKind Kind,
    DateOnly Day,
    Guid? CaseId,
    byte[]? PayloadHash,
    long? PurgedSequence,
    ReadOnlyMemory<byte> Metadata)
{
    public const byte Version = 1;
    public const int MaxMetadataLength = 4096;

    /// <summary>The canonical leaf input, as specified in docs/ledger.md.</summary>
    public byte[] ToLeafInput()
    {
        Validate();
        var length = 1 + 8 + 2 + 4 + 1 + 16 + 1 + 32 + 1 + 8 + 4 + Metadata.Length;
        var buffer = new byte[length];
        var span = buffer.AsSpan();
        var at = 0;
        span[at++] = Version;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], Sequence);
        at += 8;
        BinaryPrimitives.WriteInt16BigEndian(span[at..], (short)Kind);
        at += 2;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], Day.DayNumber);
        at += 4;
        span[at++] = CaseId.HasValue ? (byte)1 : (byte)0;
        if (CaseId is { } caseId)
        {
            caseId.TryWriteBytes(span.Slice(at, 16), bigEndian: true, out _);
        }
        at += 16;
        span[at++] = PayloadHash is null ? (byte)0 : (byte)1;
        PayloadHash?.CopyTo(span.Slice(at, 32));
        at += 32;
        span[at++] = PurgedSequence.HasValue ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64BigEndian(span[at..], PurgedSequence ?? 0);
        at += 8;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], Metadata.Length);
        at += 4;
        Metadata.Span.CopyTo(span[at..]);
        return buffer;
    }

    public byte[] LeafHash() => MerkleHash.LeafHash(ToLeafInput());

    /// <summary>Parses a leaf input; the inverse of <see cref="ToLeafInput"/>.</summary>
    public static LedgerLeaf FromLeafInput(ReadOnlySpan<byte> input)
    {
        const int fixedLength = 1 + 8 + 2 + 4 + 1 + 16 + 1 + 32 + 1 + 8 + 4;
        if (input.Length < fixedLength || input[0] != Version)
        {
            throw new FormatException("Not a version 1 Intake ledger leaf.");
        }
        // Exactly the bytes ToLeafInput writes: a flag is 0 or 1, and an absent field is all zeros.
        if (!IsCanonicalOptional(input[15], input.Slice(16, 16)) || !IsCanonicalOptional(input[32], input.Slice(33, 32))
            || !IsCanonicalOptional(input[65], input.Slice(66, 8)))
        {
            throw new FormatException("The leaf input is not in canonical form.");
        }
        var sequence = BinaryPrimitives.ReadInt64BigEndian(input[1..]);
        var kind = (LedgerEntryKind)BinaryPrimitives.ReadInt16BigEndian(input[9..]);
        var day = DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32BigEndian(input[11..]));
        Guid? caseId = input[15] == 1 ? new Guid(input.Slice(16, 16), bigEndian: true) : null;
        var payloadHash = input[32] == 1 ? input.Slice(33, 32).ToArray() : null;
        long? purged = input[65] == 1 ? BinaryPrimitives.ReadInt64BigEndian(input[66..]) : null;
        var metadataLength = BinaryPrimitives.ReadInt32BigEndian(input[74..]);
        if (metadataLength < 0 || input.Length != fixedLength + metadataLength)
        {
            throw new FormatException("The leaf's metadata length does not match its size.");
        }
        var leaf = new LedgerLeaf(sequence, kind, day, caseId, payloadHash, purged, input[fixedLength..].ToArray());
        leaf.Validate();
        return leaf;
    }

    private static bool IsCanonicalOptional(byte flag, ReadOnlySpan<byte> field) =>
        flag == 1 || (flag == 0 && !field.ContainsAnyExcept((byte)0));

    private void Validate()
    {
        if (Sequence < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Sequence), "A sequence number is never negative.");
        }
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(Kind), $"Unknown entry kind {(short)Kind}.");
        }
        if (PayloadHash is { Length: not MerkleHash.Size })
        {
            throw new ArgumentException("A payload hash is 32 bytes.", nameof(PayloadHash));
        }
        if ((Kind == LedgerEntryKind.PurgeTombstone) != PurgedSequence.HasValue)
        {
            throw new ArgumentException("Exactly the purge tombstones name a purged entry.", nameof(PurgedSequence));
        }
        if (PurgedSequence is { } purged && (purged < 0 || purged >= Sequence))
        {
            throw new ArgumentOutOfRangeException(nameof(PurgedSequence), "A tombstone names an earlier entry.");
        }
        if (Metadata.Length > MaxMetadataLength)
        {
            throw new ArgumentException($"Metadata is limited to {MaxMetadataLength} bytes.", nameof(Metadata));
        }
    }
}
