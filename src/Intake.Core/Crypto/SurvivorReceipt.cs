using System.Security.Cryptography;
using System.Text;

namespace Intake.Core.Crypto;

/// <summary>Why a typed receipt code was refused before any network request.</summary>
public enum ReceiptParseError
{
    /// <summary>Nothing was typed.</summary>
    Empty,

    /// <summary>A character that is not in Crockford's base32 alphabet (after the tolerated substitutions).</summary>
    InvalidCharacter,

    /// <summary>24 code characters were typed but the final check character is missing.</summary>
    MissingCheckCharacter,

    /// <summary>Too few or too many characters.</summary>
    WrongLength,

    /// <summary>The check character does not match: a typo.</summary>
    CheckCharacterMismatch,
}

/// <summary>
/// A survivor's receipt: 120 random bits shown as 24 Crockford base32 characters in six groups of four, then a
/// check character (Luhn mod 32), e.g. "7ZQK-3M1X-…-W". The only secret she keeps; everything else derives from it.
/// </summary>
public sealed class SurvivorReceipt
{
    /// <summary>Entropy of a receipt in bytes (120 bits).</summary>
    public const int SecretLength = 15;

    internal const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int DataCharacters = 24;

    private readonly byte[] _secret;

    private SurvivorReceipt(byte[] secret) => _secret = secret;

    /// <summary>Draws a fresh receipt from the system CSPRNG.</summary>
    public static SurvivorReceipt Generate() => new(RandomNumberGenerator.GetBytes(SecretLength));

    /// <summary>Builds a receipt from its 15 secret bytes (test vectors, and re-display).</summary>
    internal static SurvivorReceipt FromSecret(ReadOnlySpan<byte> secret) =>
        secret.Length == SecretLength
            ? new SurvivorReceipt(secret.ToArray())
            : throw new ArgumentException($"A receipt secret is {SecretLength} bytes.", nameof(secret));

    /// <summary>
    /// Parses what a survivor typed. Tolerates case, spaces and hyphen-like separators, full-width characters (NFKC),
    /// and Crockford's I/L→1 and O→0 substitutions.
    /// </summary>
    public static bool TryParse(string? text, out SurvivorReceipt? receipt, out ReceiptParseError error)
    {
        receipt = null;
        string normalized = (text ?? string.Empty).Normalize(NormalizationForm.FormKC).ToUpperInvariant();
        var symbols = new List<int>(DataCharacters + 1);
        foreach (char raw in normalized)
        {
            if (char.IsWhiteSpace(raw) || raw is '-' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' or '\u30FC')
            {
                continue;
            }

            char c = raw switch { 'I' or 'L' => '1', 'O' => '0', _ => raw };
            int value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                error = ReceiptParseError.InvalidCharacter;
                return false;
            }

            symbols.Add(value);
        }

        error = symbols.Count switch
        {
            0 => ReceiptParseError.Empty,
            DataCharacters => ReceiptParseError.MissingCheckCharacter,
            DataCharacters + 1 when LuhnMod32.Check(symbols[..DataCharacters]) != symbols[DataCharacters] => ReceiptParseError.CheckCharacterMismatch,
            DataCharacters + 1 => default,
            _ => ReceiptParseError.WrongLength,
        };
        if (symbols.Count != DataCharacters + 1 || error == ReceiptParseError.CheckCharacterMismatch)
        {
            return false;
        }

        receipt = new SurvivorReceipt(Decode(symbols[..DataCharacters]));
        return true;
    }

    /// <summary>The 15 secret bytes; handle as a secret.</summary>
    public ReadOnlySpan<byte> Secret => _secret;

    /// <summary>The canonical display form: "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-C".</summary>
    public override string ToString()
    {
        int[] symbols = Encode(_secret);
        var text = new StringBuilder(31);
        for (int i = 0; i < DataCharacters; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                text.Append('-');
            }

            text.Append(Alphabet[symbols[i]]);
        }

        return text.Append('-').Append(Alphabet[LuhnMod32.Check(symbols)]).ToString();
    }

    /// <summary>The 24 five-bit symbols of the 120-bit big-endian secret, most significant first.</summary>
    private static int[] Encode(ReadOnlySpan<byte> secret)
    {
        int[] symbols = new int[DataCharacters];
        for (int i = 0; i < DataCharacters; i++)
        {
            int value = 0;
            for (int bit = 0; bit < 5; bit++)
            {
                int position = (i * 5) + bit;
                value = (value << 1) | ((secret[position / 8] >> (7 - (position % 8))) & 1);
            }

            symbols[i] = value;
        }

        return symbols;
    }

    private static byte[] Decode(IReadOnlyList<int> symbols)
    {
        byte[] secret = new byte[SecretLength];
        for (int position = 0; position < SecretLength * 8; position++)
        {
            int bit = (symbols[position / 5] >> (4 - (position % 5))) & 1;
            secret[position / 8] |= (byte)(bit << (7 - (position % 8)));
        }

        return secret;
    }

    /// <summary>
    /// The Luhn mod N algorithm with N = 32: catches every single-character substitution and every adjacent
    /// transposition except "0Z"↔"Z0", using only symbols of the same alphabet. Crockford's own mod-37 check needs
    /// five extra symbols (*~$=U), which Chinese input methods turn into full-width or currency characters.
    /// </summary>
    internal static class LuhnMod32
    {
        internal static int Check(IReadOnlyList<int> symbols)
        {
            int factor = 2;
            int sum = 0;
            for (int i = symbols.Count - 1; i >= 0; i--)
            {
                int addend = factor * symbols[i];
                factor = factor == 2 ? 1 : 2;
                sum += (addend / 32) + (addend % 32);
            }

            return (32 - (sum % 32)) % 32;
        }
    }
}
