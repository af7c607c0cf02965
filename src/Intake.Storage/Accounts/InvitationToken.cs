using System.Security.Cryptography;
using Intake.Core.Crypto;

namespace Intake.Storage.Accounts;

/// <summary>
/// An invitation's secret: 32 random bytes, base64url in the link. The database keeps only its
/// SHA-256, so the hash alone (from a backup, say) opens nothing.
/// </summary>
public static class InvitationToken
{
    public const int Bytes = 32;

    public static (string Token, byte[] Hash) New()
    {
        var secret = RandomNumberGenerator.GetBytes(Bytes);
        return (Base64UrlStrict.Encode(secret), SHA256.HashData(secret));
    }

    /// <summary>The stored hash for a token from a link, or null when it cannot be one of ours.</summary>
    public static byte[]? HashOf(string? token) =>
        token is { Length: > 0 and < 64 } && Base64UrlStrict.TryDecode(token) is { Length: Bytes } secret ? SHA256.HashData(secret) : null;
}
