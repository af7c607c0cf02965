using Intake.Core.Contracts;
using Intake.Core.Ledger;
using Intake.Storage.Routing;
using Npgsql;

namespace Intake.Storage.Tests.Routing;

public sealed class RoutingDirectoryTests
{
    [Fact]
    public async Task Admins_edit_lists_and_profiles_and_every_change_is_a_ledger_entry()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_admin");
        var before = (await bed.Db.ReadAllAsync()).Count;

        await bed.Directory.SaveAsync(RoutingList.Regions, new RoutingListItem("east", "East", "东部"), "admin-1");
        await bed.Directory.SaveAsync(RoutingList.Regions, new RoutingListItem("east", "East coast", "东部沿海", Active: false), "admin-1");
        await bed.Directory.SaveAsync(RoutingList.Organisations, new RoutingListItem("ngo-1", "NGO One", "机构一"), "admin-1");
        var advocate = Guid.NewGuid();
        await bed.Directory.SaveProfileAsync(new AdvocateProfile(advocate, true, 7, ["general", "legal"], ["zh"], ["east"], ["ngo-1"], "a@example.org"), "admin-1");

        Assert.Empty(await bed.Directory.ListAsync(RoutingList.Regions));
        Assert.Equal("East coast", Assert.Single(await bed.Directory.ListAsync(RoutingList.Regions, activeOnly: false)).NameEn);
        var profile = await bed.Directory.GetProfileAsync(advocate);
        Assert.Equal(7, profile!.Capacity);
        Assert.Equal(["general", "legal"], profile.Channels);
        Assert.Equal("a@example.org", await bed.Directory.NotifyAddressAsync(advocate));
        var entries = (await bed.Db.ReadAllAsync()).Skip(before).ToList();
        Assert.Equal(4, entries.Count);
        Assert.All(entries, e => Assert.Equal(LedgerEntryKind.AdminAction, e.Leaf.Kind));
        Assert.DoesNotContain(entries, e => System.Text.Encoding.UTF8.GetString(e.Leaf.Metadata.Span).Contains("example.org", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("channels", "nope")]
    [InlineData("regions", "nope")]
    [InlineData("affiliations", "nope")]
    [InlineData("languages", "fr")]
    [InlineData("capacity", "-1")]
    [InlineData("notifyEmail", "not an address")]
    public async Task A_profile_naming_unknown_ids_or_bad_values_is_refused_and_nothing_is_written(string field, string value)
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_badprofile");
        var before = (await bed.Db.ReadAllAsync()).Count;
        var profile = new AdvocateProfile(Guid.NewGuid(), true, 3, ["general"], ["zh"], [], []);
        profile = field switch
        {
            "channels" => profile with { Channels = ["general", value] },
            "regions" => profile with { Regions = [value] },
            "affiliations" => profile with { Affiliations = [value] },
            "languages" => profile with { Languages = [value] },
            "capacity" => profile with { Capacity = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            _ => profile with { NotifyEmail = value },
        };

        var refused = await Assert.ThrowsAsync<RoutingSettingsException>(() => bed.Directory.SaveProfileAsync(profile, "admin"));

        Assert.Equal(field, refused.Field);
        Assert.Empty(await bed.Directory.ListProfilesAsync());
        Assert.Equal(before, (await bed.Db.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Survivor_hints_must_name_active_entries_of_the_lists()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_checkhints");
        await bed.Directory.SaveAsync(RoutingList.Regions, new RoutingListItem("west", "West", "西部"), "admin");
        await bed.Directory.SaveAsync(RoutingList.Regions, new RoutingListItem("gone", "Gone", "已停用", Active: false), "admin");
        await bed.Directory.SaveAsync(RoutingList.Organisations, new RoutingListItem("ngo", "NGO", "机构"), "admin");

        Assert.Null(await bed.Directory.CheckHintsAsync(new RoutingHints("zh", "west", ["ngo"])));
        Assert.Null(await bed.Directory.CheckHintsAsync(new RoutingHints()));
        Assert.Equal("routing.region", (await bed.Directory.CheckHintsAsync(new RoutingHints("zh", "east")))?.Field);
        Assert.Equal("routing.region", (await bed.Directory.CheckHintsAsync(new RoutingHints("zh", "gone")))?.Field);
        Assert.Equal("routing.exclude[1]", (await bed.Directory.CheckHintsAsync(new RoutingHints("en", null, ["ngo", "other"])))?.Field);
        Assert.Equal("routing.language", (await bed.Directory.CheckHintsAsync(new RoutingHints("fr")))?.Field);
        Assert.Equal("id", (await Assert.ThrowsAsync<RoutingSettingsException>(() =>
            bed.Directory.SaveAsync(RoutingList.Regions, new RoutingListItem("Bad Id", "x", "x"), "admin"))).Field);
    }

    [Fact]
    public async Task Failed_messages_are_counted_for_admins_once_each_until_resolved()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_faults");
        var message = Guid.NewGuid();

        Assert.True(await bed.Directory.RecordFaultAsync(message, "TestimonySubmitted", null, "PoisonRoutingMessageException", bed.Time.GetUtcNow()));
        Assert.False(await bed.Directory.RecordFaultAsync(message, "TestimonySubmitted", null, "PoisonRoutingMessageException", bed.Time.GetUtcNow()));
        Assert.Equal(1, await bed.Directory.UnresolvedFaultCountAsync());
        Assert.Equal("routing_fault", Assert.Single(await bed.Notices.ForAdminsAsync()).Kind);

        await bed.Directory.ResolveFaultAsync(message, "admin");
        Assert.Equal(0, await bed.Directory.UnresolvedFaultCountAsync());
        await Assert.ThrowsAsync<Intake.Storage.Ledger.LedgerAppendException>(() => bed.Directory.ResolveFaultAsync(message, "admin"));
    }

    [Fact]
    public async Task The_app_role_cannot_delete_or_rewrite_assignments()
    {
        await using var bed = await RoutingTestBed.CreateAsync("routing_grants");
        await bed.AdvocateAsync();
        var caseId = await bed.SubmitAsync();
        await bed.Router.RouteAsync(caseId);

        foreach (var sql in new[]
        {
            "DELETE FROM intake.case_assignments",
            "UPDATE intake.case_assignments SET advocate_id = gen_random_uuid()",
            "UPDATE intake.case_assignments SET assigned_seq = 1",
            "DELETE FROM intake.routing_decisions",
            "DELETE FROM intake.staff_notifications",
        })
        {
            await using var command = bed.Db.App.CreateCommand(sql);
            var denied = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
        }
    }
}
