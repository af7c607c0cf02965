namespace Intake.Core.Tests.Crypto;

/// <summary>
/// Reads the RFC 9180 vector file: "key: value" lines, hex values that wrap onto following lines, and blank lines,
/// "~~~" fences or "#" headings ending a record.
/// </summary>
internal static class HpkeTestVectors
{
    internal const string A3FileName = "rfc9180-a3-p256-sha256-aes128gcm-base.txt";

    internal static HpkeVectorFile LoadA3() =>
        Parse(File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Vectors", A3FileName)));

    internal static HpkeVectorFile Parse(IEnumerable<string> lines)
    {
        var records = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        string? lastKey = null;

        foreach (string rawLine in lines)
        {
            string line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("~~~", StringComparison.Ordinal))
            {
                current = null;
                lastKey = null;
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                if (current is null || lastKey is null)
                {
                    throw new FormatException($"Continuation line without a key: '{line}'.");
                }

                current[lastKey] += line;
                continue;
            }

            if (current is null)
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                records.Add(current);
            }

            lastKey = line[..colon].Trim();
            current.Add(lastKey, line[(colon + 1)..].Trim());
        }

        return new HpkeVectorFile(records);
    }
}

internal sealed class HpkeVectorFile(IReadOnlyList<Dictionary<string, string>> records)
{
    internal IReadOnlyDictionary<string, string> Setup { get; } = records.Single(r => r.ContainsKey("mode"));

    internal IReadOnlyList<IReadOnlyDictionary<string, string>> Encryptions { get; } =
        records.Where(r => r.ContainsKey("sequence number")).ToList();

    internal IReadOnlyList<IReadOnlyDictionary<string, string>> Exports { get; } =
        records.Where(r => r.ContainsKey("exporter_context")).ToList();

    internal byte[] SetupBytes(string key) => Convert.FromHexString(Setup[key]);
}
