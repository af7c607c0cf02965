using System.Globalization;

namespace Intake.Core.Crypto;

/// <summary>Canonical line parsers for note bodies: each accepts exactly one spelling of a value.</summary>
internal static class NoteBodyLines
{
    /// <summary>Origin: 1-255 printable ASCII characters without spaces, e.g. "intake.example.org/ledger".</summary>
    internal static bool IsValidOrigin(string origin) =>
        origin.Length is > 0 and <= 255 && origin.All(c => c is > ' ' and < '\u007f');

    internal static string[] Split(string body, int count)
    {
        ArgumentNullException.ThrowIfNull(body);
        string[] lines = body.Split('\n');
        return lines.Length == count + 1 && lines[^1].Length == 0
            ? lines[..count]
            : throw new FormatException($"Expected exactly {count} lines, each ending in a newline.");
    }

    internal static string Origin(string line) => IsValidOrigin(line) ? line : throw new FormatException("Invalid origin.");

    internal static string Keyword(string line, string keyword) =>
        line.StartsWith(keyword + " ", StringComparison.Ordinal) ? line[(keyword.Length + 1)..] : throw new FormatException($"Expected '{keyword} '.");

    /// <summary>Decimal without sign or leading zeros ("0" alone is allowed).</summary>
    internal static long Decimal(string text) =>
        text.Length is > 0 and <= 19 && text.All(char.IsAsciiDigit) && (text == "0" || text[0] != '0')
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new FormatException("Expected a canonical decimal number.");

    internal static byte[] Hash(string text)
    {
        byte[] hash = new byte[32];
        return Convert.TryFromBase64String(text, hash, out int written) && written == 32
            && string.Equals(Convert.ToBase64String(hash), text, StringComparison.Ordinal)
            ? hash
            : throw new FormatException("Expected the canonical base64 of 32 bytes.");
    }

    internal static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static DateOnly Date(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date)
            ? date
            : throw new FormatException("Expected a date as YYYY-MM-DD.");
}
