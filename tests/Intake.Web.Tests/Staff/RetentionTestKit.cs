using System.Security.Cryptography;
using System.Text;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Intake.Web.Tests.Staff;

/// <summary>What the retention console and dashboard tests share: channels, assigned cases, table rows, days.</summary>
internal static class RetentionTestKit
{
    public static T Service<T>(WebApplicationFactory<Program> factory) where T : notnull => factory.Services.GetRequiredService<T>();

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A new active channel whose id starts with <paramref name="prefix"/>.</summary>
    public static async Task<string> NewChannelAsync(WebApplicationFactory<Program> factory, string prefix)
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await Service<ChannelDirectory>(factory).AddChannelAsync(new Channel(id, "Retention " + prefix, "保留"), "test");
        return id;
    }

    /// <summary>A submitted case in the channel (sealed to a key of nobody's, content irrelevant here), assigned to the advocate.</summary>
    public static async Task<Guid> AssignedCaseAsync(WebFixture fixture, WebApplicationFactory<Program> factory, string channel, Guid advocate)
    {
        var (_, recipient) = HpkeSuite.GenerateKeyPair();
        var (_, reply) = HpkeSuite.GenerateKeyPair();
        var body = Encoding.UTF8.GetBytes("{\"v\":1,\"narrative\":\"not read by these tests\"}");
        var header = StreamHeader.Create(StreamPurpose.Body, body.Length);
        var key = EnvelopeSealer.GenerateContentKey();
        var envelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, channel, null, reply, [recipient], [header], key);
        using var sealedStream = new MemoryStream();
        await ContentStreamSealer.SealAsync(key, envelope.Header.ComputeHash(), header, new MemoryStream(body), body.Length, sealedStream);
        var uploads = Service<UploadStore>(factory);
        var bytes = sealedStream.ToArray();
        var upload = await uploads.CreateAsync(bytes[..30], long.MaxValue);
        await uploads.AppendPartAsync(upload.Id, 0, bytes);
        var accepted = await Service<SubmissionStore>(factory).AcceptAsync(new SubmissionRequest(envelope, [upload.Id], RandomNumberGenerator.GetBytes(32), [7]));
        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.App);
        await using var assign = dataSource.CreateCommand("""
            INSERT INTO intake.case_assignments (id, case_id, advocate_id, assigned_seq, assigned_at)
            VALUES (gen_random_uuid(), @case, @advocate, @seq, date_trunc('hour', now()))
            """);
        assign.Parameters.AddWithValue("case", accepted.CaseId);
        assign.Parameters.AddWithValue("advocate", advocate);
        assign.Parameters.AddWithValue("seq", accepted.Sequence);
        await assign.ExecuteNonQueryAsync();
        return accepted.CaseId;
    }

    /// <summary>The HTML from the element carrying <paramref name="marker"/> to the end of its table row.</summary>
    public static string Row(string html, string marker)
    {
        var start = html.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"{marker} is not on the page");
        var end = html.IndexOf("</tr>", start, StringComparison.Ordinal);
        Assert.True(end > start, $"{marker} is not in a table row");
        return html[start..end];
    }
}
