using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Web.Tests.Routing;
using Npgsql;

namespace Intake.Web.Tests.Retention;

/// <summary>
/// The retention job as it runs in production: Quartz.NET on worker processes of Intake, sharing
/// the clustered job store in PostgreSQL. Cases are made due by moving their received day into the
/// past and giving them a one-day period of the survivor's own (the ledger's days are never touched).
/// </summary>
[Collection(WebCollection.Name)]
public sealed partial class RetentionJobTests(WebFixture fixture)
{
    [GeneratedRegex("""Retention run: (\d+) cases purged""")]
    private static partial Regex RunLine();

    private static async Task<List<Guid>> SubmitAsync(RoutingWebKit kit, int count)
    {
        var uploads = new UploadStore(kit.App);
        var submissions = new SubmissionStore(kit.App, uploads, kit.Writer);
        var cases = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var content = System.Text.Encoding.UTF8.GetBytes($"{{\"v\":1,\"narrative\":\"retention job {i}\"}}");
            var contentKey = EnvelopeSealer.GenerateContentKey();
            var (_, replyPublic) = HpkeSuite.GenerateKeyPair();
            var header = StreamHeader.Create(StreamPurpose.Body, content.Length);
            var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, kit.Channel, null, replyPublic, [kit.ChannelKey], [header], contentKey);
            using var sealedStream = new MemoryStream();
            await ContentStreamSealer.SealAsync(contentKey, envelope.Header.ComputeHash(), header, new MemoryStream(content), content.Length, sealedStream);
            var bytes = sealedStream.ToArray();
            var upload = await uploads.CreateAsync(bytes[..30], long.MaxValue);
            await uploads.AppendPartAsync(upload.Id, 0, bytes);
            var accepted = await submissions.AcceptAsync(new SubmissionRequest(envelope, [upload.Id], RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(64)));
            cases.Add(accepted.CaseId);
        }
        return cases;
    }

    /// <summary>Received five days ago, with a one-day period of her own: due since four days.</summary>
    private static async Task MakeDueAsync(RoutingWebKit kit, IReadOnlyCollection<Guid> cases)
    {
        await using var superuser = new NpgsqlConnection(kit.Database.Superuser);
        await superuser.OpenAsync();
        await using var command = new NpgsqlCommand("UPDATE intake.cases SET opened_on = current_date - 5, keep_days = 1 WHERE id = ANY(@ids)", superuser);
        command.Parameters.AddWithValue("ids", cases.ToArray());
        Assert.Equal(cases.Count, await command.ExecuteNonQueryAsync());
    }

    private static Task<long> RemainingAsync(RoutingWebKit kit, IReadOnlyCollection<Guid> cases) =>
        kit.ScalarAsync("SELECT count(*) FROM intake.cases WHERE id = ANY(@ids)", ("ids", cases.ToArray()));

    /// <summary>Every ciphertext entry of the purged cases has exactly one tombstone, and none of their ciphertext is left.</summary>
    private static async Task AssertPurgedOnceAsync(RoutingWebKit kit, IReadOnlyCollection<Guid> cases)
    {
        var ids = ("ids", (object)cases.ToArray());
        Assert.Equal(cases.Count, await kit.ScalarAsync(
            "SELECT count(*) FROM intake.ledger_entries WHERE case_id = ANY(@ids) AND payload_hash IS NOT NULL", ids));
        Assert.Equal(0, await kit.ScalarAsync("""
            SELECT count(*) FROM intake.ledger_entries e
            WHERE e.case_id = ANY(@ids) AND e.payload_hash IS NOT NULL
              AND (SELECT count(*) FROM intake.ledger_entries t WHERE t.purged_seq = e.seq AND t.metadata = '{"reason":"retention"}'::bytea) <> 1
            """, ids));
        Assert.Equal(0, await kit.ScalarAsync("""
            SELECT (SELECT count(*) FROM intake.ledger_payloads p JOIN intake.ledger_entries e ON e.seq = p.seq WHERE e.case_id = ANY(@ids))
                 + (SELECT count(*) FROM intake.ledger_wrapped_keys k JOIN intake.ledger_entries e ON e.seq = k.seq WHERE e.case_id = ANY(@ids))
                 + (SELECT count(*) FROM intake.uploads WHERE case_id = ANY(@ids))
            """, ids));
    }

    private Dictionary<string, string> WorkerSettings(RoutingWebKit kit)
    {
        var settings = kit.Settings(fixture);
        settings["Intake:Role"] = "Worker";
        settings["Retention:JobEnabled"] = "true";
        settings["Retention:Schedule"] = "0/2 * * * * ?";
        settings["Retention:BatchSize"] = "5";
        settings["Retention:ClusterCheckinInterval"] = "00:00:02";
        settings["Routing:ReconcilerEnabled"] = "false"; // these cases were stored directly and never announced
        return settings;
    }

    [Fact]
    public async Task Two_worker_processes_share_the_job_and_purge_each_due_case_exactly_once()
    {
        await using var kit = await RoutingWebKit.CreateAsync("retention_cluster");
        var due = await SubmitAsync(kit, 40);
        var kept = await SubmitAsync(kit, 5);
        await MakeDueAsync(kit, due);
        await using var first = IntakeProcess.Start(WorkerSettings(kit));
        await using var second = IntakeProcess.Start(WorkerSettings(kit));
        await Task.WhenAll(first.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)), second.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90)));

        await RoutingWebKit.EventuallyAsync(async () => await RemainingAsync(kit, due) == 0, TimeSpan.FromSeconds(120),
            async () => $"{await RemainingAsync(kit, due)} due cases left.\nFirst:\n{first.Output}\nSecond:\n{second.Output}");
        // Both workers joined one Quartz cluster, and their logs together count every purge once.
        await RoutingWebKit.EventuallyAsync(async () => await kit.ScalarAsync("SELECT count(*) FROM quartz.qrtz_scheduler_state") == 2,
            TimeSpan.FromSeconds(30), () => Task.FromResult("The two workers did not both check in to the Quartz cluster."));
        await Task.Delay(TimeSpan.FromSeconds(3)); // a run that purged the last case has logged its count
        var counted = RunLine().Matches(first.Output + "\n" + second.Output).Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(due.Count, counted);

        Assert.Equal(kept.Count, await RemainingAsync(kit, kept));
        await AssertPurgedOnceAsync(kit, due);
        Assert.DoesNotContain("could not be purged", first.Output + second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_killed_in_the_middle_of_a_purge_has_its_run_recovered_by_another_and_no_case_is_purged_twice()
    {
        await using var kit = await RoutingWebKit.CreateAsync("retention_crash");
        var due = await SubmitAsync(kit, 150);
        await MakeDueAsync(kit, due);
        var settings = WorkerSettings(kit);
        var doomed = IntakeProcess.Start(settings);
        try
        {
            await doomed.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
            await RoutingWebKit.EventuallyAsync(async () => await RemainingAsync(kit, due) < due.Count - 10, TimeSpan.FromSeconds(120),
                () => Task.FromResult($"The purge did not start.\n{doomed.Output}"));
            doomed.Kill();
        }
        finally
        {
            await doomed.DisposeAsync();
        }
        var left = await RemainingAsync(kit, due);
        Assert.True(left > 0, "The purge finished before the worker was killed; nothing was left to resume.");

        // The next worker states a schedule that does not fire for decades: only Quartz's recovery of the dead
        // worker's run (the job requests recovery) can finish the purge.
        var recovering = new Dictionary<string, string>(settings) { ["Retention:Schedule"] = "0 0 0 1 1 ? 2099" };
        await using var next = IntakeProcess.Start(recovering);
        await next.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        await RoutingWebKit.EventuallyAsync(async () => await RemainingAsync(kit, due) == 0, TimeSpan.FromSeconds(180),
            async () => $"{await RemainingAsync(kit, due)} due cases left after the restart.\n{next.Output}");
        await RoutingWebKit.EventuallyAsync(() => Task.FromResult(RunLine().IsMatch(next.Output)), TimeSpan.FromSeconds(10),
            () => Task.FromResult($"The recovering worker logged no run.\n{next.Output}"));
        Assert.Equal(left, RunLine().Matches(next.Output).Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));

        await AssertPurgedOnceAsync(kit, due);
    }
}
