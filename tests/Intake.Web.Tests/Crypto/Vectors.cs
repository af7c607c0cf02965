using System.Text.Json;
using System.Text.RegularExpressions;

namespace Intake.Web.Tests.Crypto;

/// <summary>The golden vector files of Intake.Core.Tests, read from the repository, with byte helpers.</summary>
internal static partial class Vectors
{
    public static string Path(string file) => IntakeProcess.RepositoryRoot("tests/Intake.Core.Tests/Vectors/" + file);

    public static JsonElement Load(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path($"intake-v1-{name}.json")));
        return document.RootElement.Clone();
    }

    /// <summary>Lowercase hex (the vector files' byte form) to standard base64 (the page's).</summary>
    public static string B64(string hex) => Convert.ToBase64String(Convert.FromHexString(hex));

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes);

    public static string Hex(string base64) => Convert.ToHexStringLower(Convert.FromBase64String(base64));

    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    /// <summary>Content byte i is (i mod 251), as in intake-v1-stream.json.</summary>
    public static byte[] PatternContent(long length)
    {
        var content = new byte[length];
        for (var i = 0; i < content.Length; i++)
        {
            content[i] = (byte)(i % 251);
        }
        return content;
    }

    /// <summary>The RFC 9180 A.3 text file as (name, value) pairs in file order; hex values may span lines.</summary>
    public static List<(string Name, string Value)> ReadRfc9180()
    {
        var pairs = new List<(string Name, string Value)>();
        foreach (var raw in File.ReadLines(Path("rfc9180-a3-p256-sha256-aes128gcm-base.txt")))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("~~~", StringComparison.Ordinal))
            {
                continue;
            }
            var match = RfcLine().Match(line);
            if (match.Success)
            {
                pairs.Add((match.Groups[1].Value, match.Groups[2].Value));
            }
            else if (pairs.Count > 0 && HexOnly().IsMatch(line))
            {
                pairs[^1] = (pairs[^1].Name, pairs[^1].Value + line);
            }
            else
            {
                throw new FormatException($"Unexpected line in the RFC 9180 vectors: {line}");
            }
        }
        return pairs;
    }

    [GeneratedRegex("^([A-Za-z_ ]+):\\s*([0-9a-f]*)$")]
    private static partial Regex RfcLine();

    [GeneratedRegex("^[0-9a-f]+$")]
    private static partial Regex HexOnly();
}
