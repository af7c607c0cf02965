namespace Intake.Core.Tests.Docs;

/// <summary>
/// docs/threat-model.md names, for every adversary, the tests that back what it claims. These tests keep
/// that true: every row names a test, and every test the document names exists in tests/.
/// </summary>
public sealed class ThreatModelTests
{
    private static readonly string Root = TestReferenceCheck.RepositoryRoot();

    private static string ThreatModel() => File.ReadAllText(Path.Combine(Root, "docs", "threat-model.md"));

    private static TestReferenceCheck.TestIndex RepositoryTests() =>
        TestReferenceCheck.TestIndex.FromDirectory(Path.Combine(Root, "tests"));

    [Fact]
    public void Every_adversary_row_names_a_test_and_every_test_the_threat_model_names_exists()
    {
        var markdown = ThreatModel();
        var index = RepositoryTests();

        var problems = TestReferenceCheck.Problems(markdown, index);

        Assert.True(problems.Count == 0,
            $"docs/threat-model.md names tests that do not back it ({problems.Count}):\n" + string.Join("\n", problems));
        // Not vacuous: the adversary table and its references were found, and the index holds the test projects.
        Assert.True(TestReferenceCheck.AdversaryRows(markdown).Count >= 10, "fewer adversary rows than the document has had");
        Assert.True(TestReferenceCheck.References(markdown).Count >= 30, "fewer test references than the document has had");
        Assert.True(index.TestMethodCount > 400, $"only {index.TestMethodCount} test methods found under {Path.Combine(Root, "tests")}");
    }

    [Fact]
    public void This_test_is_found_by_its_own_index()
    {
        var index = RepositoryTests();

        Assert.Null(index.Resolve(Reference($"`{nameof(ThreatModelTests)}.{nameof(Every_adversary_row_names_a_test_and_every_test_the_threat_model_names_exists)}`")));
        Assert.Null(index.Resolve(Reference($"`Intake.Core.Tests/Docs/{nameof(ThreatModelTests)}.This_test_is_found_…`")));
        Assert.NotNull(index.Resolve(Reference($"`Intake.Web.Tests/{nameof(ThreatModelTests)}`")));
        Assert.NotNull(index.Resolve(Reference($"`{nameof(ThreatModelTests)}.{nameof(Reference)}`"))); // a helper, not a test
    }

    [Fact]
    public void Each_reference_form_of_the_document_is_parsed()
    {
        var plain = Reference("`MarkerTests`");
        var method = Reference("`AdvocateKeyStoreTests.Nobody_approves_her_own_key_and_a_key_is_approved_once`");
        var prefix = Reference("`CaseApiTests.Withdrawal_…`");
        var prefixWithoutUnderscore = Reference("`LedgerWriterTests.A_connection_killed_mid_batch…`");
        var path = Reference("`Intake.Storage.Tests/Retention/RetentionStoreTests`");

        Assert.Equal(("MarkerTests", (string?)null, false, (string?)null), (plain.Class, plain.Method, plain.IsPrefix, plain.Folder));
        Assert.Equal(("AdvocateKeyStoreTests", "Nobody_approves_her_own_key_and_a_key_is_approved_once", false), (method.Class, method.Method, method.IsPrefix));
        Assert.Equal(("CaseApiTests", "Withdrawal_", true), (prefix.Class, prefix.Method, prefix.IsPrefix));
        Assert.Equal(("LedgerWriterTests", "A_connection_killed_mid_batch", true), (prefixWithoutUnderscore.Class, prefixWithoutUnderscore.Method, prefixWithoutUnderscore.IsPrefix));
        Assert.Equal(("RetentionStoreTests", "Intake.Storage.Tests/Retention"), (path.Class, path.Folder));
        foreach (var notATest in new[] { "intake ledger verify", "pg_dump", "no-store", "entry_day", "Intake.Core.Tests/Crypto", "Staff", "MarkerTests.", "MarkerTests...", "MarkerTests.…" })
        {
            Assert.Null(TestReferenceCheck.Parse(1, notATest));
        }
    }

    [Fact]
    public void Missing_classes_methods_and_prefixes_are_each_reported_with_their_line()
    {
        var markdown = """
            # Threat model

            | adversary | can | cannot | backed by |
            | --- | --- | --- | --- |
            | **A** (one) | a | b | `GoodTests`, `GoodTests.Refuses_bad_input` |
            | **B** | a | b | `MissingTests` |
            | **C** | a | b | `GoodTests.Does_not_exist`, `GoodTests.Nothing_starts_so_…` |
            | **D** | a | b | `Intake.Web.Tests/Staff/GoodTests` |
            | **E** | a | b | `GoodTests.Helper` |

            Trust: `GoodTests.Accepts_…` and `OtherMissingTests.Anything`.
            """;

        var problems = TestReferenceCheck.Problems(markdown, SampleIndex());

        Assert.Equal(
            [
                "line 6: `MissingTests`: no class MissingTests in tests/",
                "line 7: `GoodTests.Does_not_exist`: GoodTests has no test method Does_not_exist",
                "line 7: `GoodTests.Nothing_starts_so_…`: GoodTests has no test method whose name starts with Nothing_starts_so_",
                "line 8: `Intake.Web.Tests/Staff/GoodTests`: no class GoodTests under tests/Intake.Web.Tests/Staff",
                "line 9: `GoodTests.Helper`: GoodTests has no test method Helper",
                "line 11: `OtherMissingTests.Anything`: no class OtherMissingTests in tests/",
            ],
            problems);
    }

    [Fact]
    public void A_row_without_a_test_prose_instead_of_a_reference_and_an_unchecked_form_are_reported()
    {
        var markdown = """
            | adversary | can | cannot | backed by |
            | --- | --- | --- | --- |
            | **A** | a | b | the accounts tests |
            | **B** | a | b | `Staff` tests |
            | **C** | a | b | GoodTests (wrong codes) |
            | **D** | a | b | `GoodTests` |
            | **E** | a | b |

            Also crypto tests in `Intake.Core.Tests/Crypto`.
            """;

        var problems = TestReferenceCheck.Problems(markdown, SampleIndex());

        Assert.Equal(
            [
                "line 7: 3 cells where the header has 4",
                "line 3 (A): names no test in backticks in its last column",
                "line 4 (B): `Staff` is not a test reference (ClassName, ClassName.Method, ClassName.Prefix… or Project/Folder/ClassName)",
                "line 5 (C): names no test in backticks in its last column",
                "line 7 (E): names no test in backticks in its last column",
                "line 5: GoodTests is not in backticks, so it is not checked",
                "line 9: `Intake.Core.Tests/Crypto` looks like a test reference but is not one of the checked forms",
            ],
            problems);
    }

    [Fact]
    public void A_document_without_an_adversary_table_is_reported()
    {
        var problems = TestReferenceCheck.Problems("# Threat model\n\n| who | backed by |\n| --- | --- |\n| A | `GoodTests` |\n", SampleIndex());

        Assert.Equal(["no adversary table (a table whose header starts with \"adversary\")"], problems);
    }

    [Fact]
    public void A_method_counts_only_for_the_top_level_class_above_it()
    {
        var index = new TestReferenceCheck.TestIndex();
        index.Add("Intake.Web.Tests/TwoTests.cs", """
            namespace Intake.Web.Tests;

            public sealed class FirstTests
            {
                private sealed class NestedTests { }

                [Fact]
                public void Belongs_to_the_first() { }
            }

            public sealed class SecondTests
            {
                [Theory]
                [InlineData(1)]
                // a comment between attributes and the method
                public async Task Belongs_to_the_second(int value) { }
            }
            """);

        Assert.Null(index.Resolve(Reference("`FirstTests.Belongs_to_the_first`")));
        Assert.Null(index.Resolve(Reference("`SecondTests.Belongs_to_the_second`")));
        Assert.Null(index.Resolve(Reference("`NestedTests`")));
        Assert.NotNull(index.Resolve(Reference("`SecondTests.Belongs_to_the_first`")));
        Assert.NotNull(index.Resolve(Reference("`FirstTests.Belongs_to_the_second`")));
        Assert.NotNull(index.Resolve(Reference("`NestedTests.Belongs_to_the_first`")));
        Assert.Equal(2, index.TestMethodCount);
    }

    private static TestReferenceCheck.TestIndex SampleIndex()
    {
        var index = new TestReferenceCheck.TestIndex();
        index.Add("Intake.Storage.Tests/Retention/GoodTests.cs", """
            namespace Intake.Storage.Tests.Retention;

            public sealed class GoodTests
            {
                [Fact]
                public async Task Refuses_bad_input() { }

                [Fact]
                public void Accepts_good_input() { }

                private static void Helper() { }
            }
            """);
        return index;
    }

    private static TestReferenceCheck.Reference Reference(string backticked) =>
        TestReferenceCheck.References(backticked).Single();
}
