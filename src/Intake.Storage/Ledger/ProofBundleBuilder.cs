using System.Security.Cryptography;
using Intake.Core.Ledger;
using Npgsql;

namespace Intake.Storage.Ledger;

/// <summary>
/// Builds the proof bundle of one entry (<see cref="ProofBundle"/>): its leaf input, the earliest
/// signed checkpoint that covers it (signing a new one only if none does yet), and the inclusion
/// proof to that checkpoint.
/// </summary>
public sealed class ProofBundleBuilder(NpgsqlDataSource dataSource, LedgerCheckpointer checkpointer, string keyName, byte[] subjectPublicKeyInfo)
{
    /// <exception cref="ArgumentOutOfRangeException">The entry is not in the log.</exception>
    public async Task<ProofBundle> BuildAsync(long sequence, CancellationToken cancellationToken = default)
    {
        var reader = new LedgerReader(dataSource);
        var head = await reader.GetHeadAsync(cancellationToken);
        if (sequence < 0 || sequence >= head.TreeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"Entry {sequence} is not in the log, which has {head.TreeSize} entries.");
        }
        var leaf = await reader.GetLeafAsync(sequence, cancellationToken)
            ?? throw new InvalidOperationException($"Entry {sequence} is missing from the database. Run `intake ledger verify`.");
        var checkpoint = await checkpointer.CheckpointCoveringAsync(sequence, cancellationToken);
        var proof = await reader.GetInclusionProofAsync(sequence, checkpoint.TreeSize, cancellationToken);
        var leafInput = leaf.ToLeafInput();
        return new ProofBundle
        {
            Format = ProofBundle.CurrentFormat,
            Origin = checkpointer.Origin,
            LeafIndex = sequence,
            LeafInput = Convert.ToBase64String(leafInput),
            LeafHash = Convert.ToBase64String(MerkleHash.LeafHash(leafInput)),
            TreeSize = checkpoint.TreeSize,
            InclusionProof = [.. proof.Select(Convert.ToBase64String)],
            Checkpoint = checkpoint.Note,
            KeyName = keyName,
            PublicKey = PemEncoding.WriteString("PUBLIC KEY", subjectPublicKeyInfo) + "\n",
        };
    }
}
