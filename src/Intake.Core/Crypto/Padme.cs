using System.Numerics;

namespace Intake.Core.Crypto;

/// <summary>
/// Padmé padding (Nikitin et al., PETS 2019) with a 1 KiB floor: the padded size keeps only the top
/// floor(log2(E)) + 1 bits of the length, so at most O(log log n) bits of the size leak and the overhead stays
/// below 12%.
/// </summary>
public static class Padme
{
    /// <summary>Every padded stream is at least this long, so short testimonies all look alike.</summary>
    public const long MinimumLength = 1024;

    /// <summary>The largest padded length protocol v1 allows (1 TiB).</summary>
    public const long MaximumLength = 1L << 40;

    /// <summary>Returns the bucket for a framed length (8-byte length prefix + content).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or its bucket exceeds <see cref="MaximumLength"/>.</exception>
    public static long PaddedLength(long framedLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(framedLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(framedLength, MaximumLength);
        if (framedLength <= MinimumLength)
        {
            return MinimumLength;
        }

        int e = BitOperations.Log2((ulong)framedLength);
        int s = BitOperations.Log2((ulong)e) + 1;
        int z = e - s;
        long mask = (1L << z) - 1;
        return (framedLength + mask) & ~mask;
    }

    /// <summary>Whether <paramref name="paddedLength"/> is a bucket some framed length pads to.</summary>
    public static bool IsBucket(long paddedLength) =>
        paddedLength is >= MinimumLength and <= MaximumLength && PaddedLength(paddedLength) == paddedLength;
}
