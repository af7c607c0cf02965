using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Intake.Core.Tests.Crypto;

/// <summary>
/// Checks the committed intake-v1-*.json files against this implementation. With INTAKE_REGENERATE_VECTORS=1 the
/// test rewrites them in the source tree instead (docs/crypto.md, "Test vectors").
/// </summary>
public class GoldenVectorTests
{
    public static TheoryData<string> Names => [.. GoldenVectors.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Golden_vectors_match_the_implementation(string name)
    {
        string fileName = $"intake-v1-{name}.json";
        string path = Path.Combine(AppContext.BaseDirectory, "Vectors", fileName);
        if (Environment.GetEnvironmentVariable("INTAKE_REGENERATE_VECTORS") == "1")
        {
            string target = Path.Combine(SourceVectorsDirectory(), fileName);
            JsonObject? previous = File.Exists(target) ? JsonNode.Parse(File.ReadAllText(target))?.AsObject() : null;
            string text = GoldenVectors.Build(name, previous).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
            File.WriteAllText(target, text);
            path = target;
        }

        Assert.True(File.Exists(path), $"{fileName} is missing; regenerate it with the command in docs/crypto.md.");
        JsonObject committed = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        JsonObject expected = GoldenVectors.Build(name, committed);
        Assert.True(JsonNode.DeepEquals(committed, expected), $"{fileName} differs from what the implementation computes.");
    }

    private static string SourceVectorsDirectory([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "Vectors"));
}
