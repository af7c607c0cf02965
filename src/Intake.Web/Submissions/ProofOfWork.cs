using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Intake.Core.Crypto;
using Intake.Web.Ledger;
using Microsoft.Extensions.Options;

namespace Intake.Web.Submissions;

/// <summary>
/// A small proof of work on submission: the browser finds a nonce such that
/// SHA-256(challenge ":" nonce) starts with N zero bits. It costs a person a second and a bulk
/// sender a lot, and needs nothing about who asks. Challenges are stateless (MAC'd with a key
/// every process derives from the ledger signing key, so any process can check them) and
/// single-use within a process until they expire.
/// </summary>
public sealed class ProofOfWork
{
    private const int RandomLength = 16;
    private const int MacLength = 16;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, long> _spent = new(StringComparer.Ordinal);

    public ProofOfWork(IOptions<LedgerOptions> ledger, IOptions<SubmissionOptions> options, TimeProvider time)
    {
        using var signing = LedgerOptionsValidator.LoadSigningKey(ledger.Value.SigningKeyFile);
        var d = signing.ExportParameters(includePrivateParameters: true).D!;
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, d, 32, salt: [], info: "intake/v1/proof-of-work-key"u8.ToArray());
        CryptographicOperations.ZeroMemory(d);
        Difficulty = options.Value.ProofOfWorkBits;
        _time = time;
    }

    public int Difficulty { get; }

    public string NewChallenge()
    {
        var challenge = new byte[RandomLength + 8 + MacLength];
        RandomNumberGenerator.Fill(challenge.AsSpan(0, RandomLength));
        BinaryPrimitives.WriteInt64BigEndian(challenge.AsSpan(RandomLength), (_time.GetUtcNow() + Lifetime).ToUnixTimeSeconds());
        HMACSHA256.HashData(_key, challenge.AsSpan(0, RandomLength + 8))[..MacLength].CopyTo(challenge.AsSpan(RandomLength + 8));
        return Base64UrlStrict.Encode(challenge);
    }

    /// <summary>Checks and spends a solution; returns why it is refused, or null.</summary>
    public string? Spend(string? challenge, string? nonce)
    {
        if (Difficulty == 0)
        {
            return null;
        }
        var bytes = Base64UrlStrict.TryDecode(challenge);
        if (bytes is not { Length: RandomLength + 8 + MacLength } || nonce is not { Length: > 0 and <= 20 } || !nonce.All(char.IsAsciiDigit))
        {
            return "Send the challenge from GET /api/pow and a decimal nonce.";
        }
        var mac = HMACSHA256.HashData(_key, bytes.AsSpan(0, RandomLength + 8))[..MacLength];
        if (!CryptographicOperations.FixedTimeEquals(mac, bytes.AsSpan(RandomLength + 8)))
        {
            return "This challenge was not issued by Intake.";
        }
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var expires = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(RandomLength));
        if (expires < now)
        {
            return "This challenge has expired; ask for a new one.";
        }
        if (LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes($"{challenge}:{nonce}"))) < Difficulty)
        {
            return "The proof of work does not solve the challenge.";
        }
        foreach (var (old, until) in _spent)
        {
            if (until < now)
            {
                _spent.TryRemove(old, out _);
            }
        }
        return _spent.TryAdd(challenge!, expires) ? null : "This challenge was already used; ask for a new one.";
    }

    public static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        foreach (var b in hash)
        {
            if (b == 0)
            {
                bits += 8;
                continue;
            }
            return bits + System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
        }
        return bits;
    }

    /// <summary>What a browser does, for tests and tools: the smallest nonce that solves the challenge.</summary>
    public static string Solve(string challenge, int difficulty)
    {
        for (long nonce = 0; ; nonce++)
        {
            var text = nonce.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes($"{challenge}:{text}"))) >= difficulty)
            {
                return text;
            }
        }
    }
}
