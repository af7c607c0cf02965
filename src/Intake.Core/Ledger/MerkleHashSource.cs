namespace Intake.Core.Ledger;

/// <summary>
/// Where proof generation reads subtree hashes from. Kept to a single method so that a database
/// store can back it with a table of perfect-subtree hashes: <see cref="MerkleTree"/> only ever asks
/// for perfect, aligned subtrees and composes the ragged right edge of a tree itself.
/// </summary>
public interface IMerkleHashSource
{
    /// <summary>
    /// Returns MTH(D[start : start + count]) for a perfect subtree: <paramref name="count"/> is a
    /// power of two and <paramref name="start"/> is a multiple of it (so <c>count == 1</c> asks for
    /// the leaf hash of entry <paramref name="start"/>). The caller may keep the returned array.
    /// </summary>
    byte[] SubtreeHash(long start, long count);
}
