namespace Intake.Core.Crypto;

/// <summary>Chunk arithmetic shared by the sealer, the opener and the validator.</summary>
internal static class ContentStreamLayout
{
    /// <summary>65,536 for every chunk but the last, which holds the remaining 1..65,536 bytes.</summary>
    internal static int PlaintextChunkLength(StreamHeader header, long index) =>
        (int)Math.Min(StreamHeader.ChunkLength, header.PaddedLength - (index * StreamHeader.ChunkLength));
}
