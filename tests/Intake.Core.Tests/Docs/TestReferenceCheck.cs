using System.Text.RegularExpressions;

namespace Intake.Core.Tests.Docs;

/// <summary>
/// Checks that a design document names real tests. A document names a test in backticks, in one of
/// the forms docs/threat-model.md uses: <c>ClassName</c>, <c>ClassName.Method_name</c>,
/// <c>ClassName.Method_prefix_…</c> (a trailing ellipsis: any test method whose name starts so) and
/// <c>Project/Folder/ClassName</c> (the class declared in a file under tests/Project/Folder).
/// </summary>
/// <remarks>
/// The sources are read as text rather than through reflection, because the tests a document names
/// live in projects this one does not (and should not) reference. A test method is one marked
/// <c>[Fact]</c> or <c>[Theory]</c>; it belongs to the nearest top-level class declared above it
/// (file-scoped namespaces put those at the start of a line, nested classes are indented).
/// </remarks>
internal static partial class TestReferenceCheck
{
    public const string Ellipsis = "…";

    /// <summary>One row of an adversary table: its first cell, its last ("backed by") cell, and its line.</summary>
    public sealed record AdversaryRow(int Line, string Adversary, string BackedBy);

    /// <summary>A backticked test reference and the line it is on.</summary>
    public sealed record Reference(int Line, string Text, string? Folder, string Class, string? Method, bool IsPrefix);

    /// <summary>The test classes and test methods found in C# sources, with the folder of each file.</summary>
    public sealed class TestIndex
    {
        private readonly List<(string Folder, string Class)> _classes = [];
        private readonly List<(string Folder, string Class, string Method)> _methods = [];

        /// <summary>Indexes every .cs file under <paramref name="testsRoot"/>, leaving out build output.</summary>
        public static TestIndex FromDirectory(string testsRoot)
        {
            var index = new TestIndex();
            foreach (var file in Directory.EnumerateFiles(testsRoot, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(testsRoot, file).Replace(Path.DirectorySeparatorChar, '/');
                if (relative.Split('/').Any(part => part is "bin" or "obj"))
                {
                    continue;
                }
                index.Add(relative, File.ReadAllText(file));
            }
            return index;
        }

        /// <summary>Adds one source file; <paramref name="relativePath"/> is relative to tests/, with forward slashes.</summary>
        public void Add(string relativePath, string source)
        {
            // Raw string literals hold SQL, JSON and sample sources (this project's own tests among them),
            // whose "class" and "[Fact]" declare nothing.
            source = RawStringLiteral().Replace(source, "\"\"");
            var folder = relativePath.Contains('/', StringComparison.Ordinal) ? relativePath[..relativePath.LastIndexOf('/')] : "";
            foreach (Match declaration in AnyClass().Matches(source))
            {
                _classes.Add((folder, declaration.Groups["name"].Value));
            }
            var topLevel = TopLevelClass().Matches(source).Select(m => (m.Index, Name: m.Groups["name"].Value)).ToList();
            foreach (Match test in TestMethod().Matches(source))
            {
                var owner = topLevel.LastOrDefault(c => c.Index < test.Index);
                if (owner.Name is not null)
                {
                    _methods.Add((folder, owner.Name, test.Groups["name"].Value));
                }
            }
        }

        public int TestMethodCount => _methods.Count;

        /// <summary>Why the reference does not resolve, or null when it names a test that exists.</summary>
        public string? Resolve(Reference reference)
        {
            bool InFolder(string folder) => reference.Folder is null
                || folder.Equals(reference.Folder, StringComparison.Ordinal)
                || folder.StartsWith(reference.Folder + "/", StringComparison.Ordinal);

            if (!_classes.Any(c => c.Class == reference.Class && InFolder(c.Folder)))
            {
                return reference.Folder is null
                    ? $"no class {reference.Class} in tests/"
                    : $"no class {reference.Class} under tests/{reference.Folder}";
            }
            if (reference.Method is null)
            {
                return null;
            }
            var found = _methods.Any(m => m.Class == reference.Class && InFolder(m.Folder)
                && (reference.IsPrefix
                    ? m.Method.StartsWith(reference.Method, StringComparison.Ordinal)
                    : m.Method == reference.Method));
            return found
                ? null
                : reference.IsPrefix
                    ? $"{reference.Class} has no test method whose name starts with {reference.Method}"
                    : $"{reference.Class} has no test method {reference.Method}";
        }
    }

    /// <summary>
    /// Every body row of every adversary table: a table whose header's first cell is "adversary".
    /// </summary>
    public static IReadOnlyList<AdversaryRow> AdversaryRows(string markdown)
    {
        var lines = SplitLines(markdown);
        var rows = new List<AdversaryRow>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!IsTableLine(lines[i]) || (i > 0 && IsTableLine(lines[i - 1])))
            {
                continue; // not the first line of a table
            }
            var header = Cells(lines[i]);
            if (!header[0].Equals("adversary", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            for (var j = i + 2; j < lines.Length && IsTableLine(lines[j]); j++)
            {
                var cells = Cells(lines[j]);
                rows.Add(new AdversaryRow(j + 1, cells[0], cells.Count == header.Count ? cells[^1] : ""));
            }
        }
        return rows;
    }

    /// <summary>Rows of an adversary table whose number of cells differs from its header's.</summary>
    public static IEnumerable<string> MalformedRows(string markdown)
    {
        var lines = SplitLines(markdown);
        for (var i = 0; i < lines.Length; i++)
        {
            if (!IsTableLine(lines[i]) || (i > 0 && IsTableLine(lines[i - 1])))
            {
                continue;
            }
            var header = Cells(lines[i]);
            if (!header[0].Equals("adversary", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            for (var j = i + 1; j < lines.Length && IsTableLine(lines[j]); j++)
            {
                if (Cells(lines[j]).Count != header.Count)
                {
                    yield return $"line {j + 1}: {Cells(lines[j]).Count} cells where the header has {header.Count}";
                }
            }
        }
    }

    /// <summary>
    /// Everything wrong with the document's test references: adversary rows that name no test, backticked
    /// text in a "backed by" cell that is not a test reference, test class names written without
    /// backticks or in another form (so nothing would check them), and references to tests that do not exist.
    /// </summary>
    public static IReadOnlyList<string> Problems(string markdown, TestIndex index)
    {
        var problems = new List<string>();
        var rows = AdversaryRows(markdown);
        if (rows.Count == 0)
        {
            problems.Add("no adversary table (a table whose header starts with \"adversary\")");
        }
        problems.AddRange(MalformedRows(markdown));
        foreach (var row in rows)
        {
            var spans = Backticked(row.BackedBy).ToList();
            if (spans.Count == 0)
            {
                problems.Add($"line {row.Line} ({Shorten(row.Adversary)}): names no test in backticks in its last column");
            }
            foreach (var span in spans.Where(s => Parse(row.Line, s) is null))
            {
                problems.Add($"line {row.Line} ({Shorten(row.Adversary)}): `{span}` is not a test reference (ClassName, ClassName.Method, ClassName.Prefix{Ellipsis} or Project/Folder/ClassName)");
            }
        }
        var rowLines = rows.Select(r => r.Line).ToHashSet();
        var lines = SplitLines(markdown);
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (Match bare in BareTestName().Matches(BacktickSpan().Replace(lines[i], "")))
            {
                problems.Add($"line {i + 1}: {bare.Value} is not in backticks, so it is not checked");
            }
            if (rowLines.Contains(i + 1))
            {
                continue; // its last cell was checked above
            }
            foreach (var span in Backticked(lines[i]).Where(s => s.Contains("Tests", StringComparison.Ordinal) && Parse(i + 1, s) is null))
            {
                problems.Add($"line {i + 1}: `{span}` looks like a test reference but is not one of the checked forms");
            }
        }
        foreach (var reference in References(markdown))
        {
            if (index.Resolve(reference) is { } missing)
            {
                problems.Add($"line {reference.Line}: `{reference.Text}`: {missing}");
            }
        }
        return problems;
    }

    /// <summary>
    /// Every backticked test reference in the document: anything in backticks that names a class ending in
    /// "Tests" (so commands, settings and column names in backticks are left alone).
    /// </summary>
    public static IReadOnlyList<Reference> References(string markdown)
    {
        var references = new List<Reference>();
        var lines = SplitLines(markdown);
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var span in Backticked(lines[i]))
            {
                if (Parse(i + 1, span) is { } reference)
                {
                    references.Add(reference);
                }
            }
        }
        return references;
    }

    /// <summary>Parses one backticked span as a test reference, or returns null when it is not one.</summary>
    public static Reference? Parse(int line, string text)
    {
        var match = ReferenceForm().Match(text);
        if (!match.Success)
        {
            return null;
        }
        var folder = match.Groups["folder"].Success ? match.Groups["folder"].Value.TrimEnd('/') : null;
        var method = match.Groups["method"].Success ? match.Groups["method"].Value : null;
        return new Reference(line, text, folder, match.Groups["class"].Value, method, match.Groups["prefix"].Success);
    }

    /// <summary>
    /// The repository root: the nearest directory holding Intake.sln above the test output, the working
    /// directory, or this source file (the output may be outside the checkout, with --artifacts-path).
    /// </summary>
    public static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string sourceFile = "")
    {
        string[] starts = [AppContext.BaseDirectory, Directory.GetCurrentDirectory(), Path.GetDirectoryName(sourceFile) ?? ""];
        foreach (var start in starts.Where(s => s.Length > 0))
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Intake.sln")))
                {
                    return directory.FullName;
                }
            }
        }
        throw new InvalidOperationException($"No Intake.sln above {string.Join(", ", starts)}: run the tests from a checkout of the repository.");
    }

    private static string[] SplitLines(string markdown) => markdown.ReplaceLineEndings("\n").Split('\n');

    private static bool IsTableLine(string line) => line.TrimStart().StartsWith('|');

    private static IEnumerable<string> Backticked(string text) =>
        BacktickSpan().Matches(text).Select(m => m.Groups["code"].Value.Trim());

    private static string Shorten(string cell)
    {
        var text = cell.Replace("**", "", StringComparison.Ordinal).Trim();
        var cut = text.IndexOf(" (", StringComparison.Ordinal);
        return cut > 0 ? text[..cut] : text;
    }

    /// <summary>A table line's cells, trimmed; a pipe inside backticks is part of its cell.</summary>
    private static List<string> Cells(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.StartsWith('|'))
        {
            trimmed = trimmed[1..];
        }
        if (trimmed.EndsWith('|') && !trimmed.EndsWith("\\|", StringComparison.Ordinal))
        {
            trimmed = trimmed[..^1];
        }
        var cells = new List<string>();
        var current = new System.Text.StringBuilder();
        var inCode = false;
        for (var k = 0; k < trimmed.Length; k++)
        {
            var c = trimmed[k];
            if (c == '`')
            {
                inCode = !inCode;
            }
            if (c == '\\' && k + 1 < trimmed.Length && trimmed[k + 1] == '|')
            {
                current.Append('|');
                k++;
                continue;
            }
            if (c == '|' && !inCode)
            {
                cells.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        cells.Add(current.ToString().Trim());
        return cells;
    }

    [GeneratedRegex("`(?<code>[^`]+)`")]
    private static partial Regex BacktickSpan();

    // Project/Folder/ is optional; the class ends in "Tests"; ".Method" is optional, and a trailing
    // ellipsis makes it a prefix.
    [GeneratedRegex(@"^(?<folder>Intake\.[A-Za-z]+\.Tests/(?:[A-Za-z][A-Za-z0-9]*/)*)?(?<class>[A-Z][A-Za-z0-9]*Tests)(?:\.(?<method>[A-Za-z][A-Za-z0-9_]*)(?<prefix>…)?)?$")]
    private static partial Regex ReferenceForm();

    // A test class name outside backticks: "MarkerTests", "MarkerTests.Method…".
    [GeneratedRegex(@"(?<![\w./`])[A-Z][A-Za-z0-9]*Tests\b")]
    private static partial Regex BareTestName();

    [GeneratedRegex(@"^(?:(?:public|internal|private|protected|sealed|static|abstract|partial|file)\s+)*class\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Multiline)]
    private static partial Regex TopLevelClass();

    [GeneratedRegex("(\"{3,})[\\s\\S]*?\\1")]
    private static partial Regex RawStringLiteral();

    [GeneratedRegex(@"\bclass\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex AnyClass();

    // [Fact] or [Theory] (with arguments, further attributes or comments on their own lines), then the method.
    [GeneratedRegex(@"\[(?:Fact|Theory)\b[^\n]*\](?:\s*(?:\[[^\n]*\]|//[^\n]*))*\s*(?:(?:public|internal|private|static|async)\s+)*(?:Task|ValueTask|void)\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(")]
    private static partial Regex TestMethod();
}
