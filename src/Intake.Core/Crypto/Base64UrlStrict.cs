using System.Buffers.Text;

namespace Intake.Core.Crypto;

/// <summary>
/// Base64url without padding (RFC 4648 §5), decoded strictly: no padding, no whitespace, and only the canonical
/// encoding of each byte string, so one value has exactly one wire form and a validator can compare lengths exactly.
/// </summary>
public static class Base64UrlStrict
{
    public static string Encode(ReadOnlySpan<byte> data) => Base64Url.EncodeToString(data);

    /// <summary>Returns null for anything that is not the canonical unpadded encoding of some byte string.</summary>
    public static byte[]? TryDecode(string? text)
    {
        if (text is null || text.Length % 4 == 1)
        {
            return null;
        }

        foreach (char c in text)
        {
            bool ok = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
            if (!ok)
            {
                return null;
            }
        }

        byte[] decoded;
        try
        {
            decoded = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }

        // Non-zero unused bits in the last character would give a second spelling of the same bytes.
        return string.Equals(Encode(decoded), text, StringComparison.Ordinal) ? decoded : null;
    }

    /// <summary>Returns the decoded bytes only if they have exactly <paramref name="length"/> bytes.</summary>
    public static byte[]? TryDecode(string? text, int length)
    {
        // Cheap pre-check so a huge string is rejected before it is decoded.
        if (text is null || text.Length != EncodedLength(length))
        {
            return null;
        }

        byte[]? decoded = TryDecode(text);
        return decoded?.Length == length ? decoded : null;
    }

    internal static int EncodedLength(int byteLength) => Base64Url.GetEncodedLength(byteLength);
}
