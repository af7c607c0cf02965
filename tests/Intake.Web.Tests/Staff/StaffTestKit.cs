using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Intake.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Intake.Web.Tests.Staff;

/// <summary>Every log line the host writes during a test, with its arguments, to look for secrets in.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Text => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
        }
    }
}

/// <summary>Shared steps of the staff tests: a factory with captured logs, enrolment through the pages, ledger reading.</summary>
public static partial class StaffTestKit
{
    public static WebApplicationFactory<Program> Factory(WebFixture fixture, CapturedLogs logs, Dictionary<string, string>? extra = null)
    {
        var settings = fixture.Settings();
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        return fixture.Factory(settings).WithWebHostBuilder(builder =>
        {
            builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(logs));
        });
    }

    /// <summary>Invites someone from a signed-in admin's People page and returns the link's path and token.</summary>
    public static async Task<(string Path, string Token)> InviteAsync(HttpClient admin, string role)
    {
        var response = await StaffAccounts.PostFormAsync(admin, "/staff/admin/people?handler=invite", new() { ["role"] = role }, "/staff/admin/people");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var link = InvitationLink().Match(html);
        Assert.True(link.Success, html);
        return (link.Groups[1].Value, link.Groups[2].Value);
    }

    /// <summary>Accepts an invitation through the pages: password, then TOTP from the secret the page shows. Returns her client and what she needs to sign in.</summary>
    public static async Task<(HttpClient Client, StaffMember Member, HttpResponseMessage Enrolled)> EnrollAsync(
        WebApplicationFactory<Program> factory, string invitationPath, string role, string? email = null)
    {
        var client = StaffAccounts.CreateClient(factory);
        email ??= $"new-{Guid.NewGuid():N}@staff.test";
        var created = await StaffAccounts.PostFormAsync(client, invitationPath, new()
        {
            ["DisplayName"] = "New " + role,
            ["Email"] = email,
            ["Password"] = StaffAccounts.DefaultPassword,
            ["Confirm"] = StaffAccounts.DefaultPassword,
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/staff/enroll/two-factor", StaffAccounts.PathOf(created));
        var page = await (await client.GetAsync("/staff/enroll/two-factor")).Content.ReadAsStringAsync();
        var secret = Secret().Match(page);
        Assert.True(secret.Success, page);
        Assert.Contains("src=\"data:image/png;base64,", page, StringComparison.Ordinal);
        var member = new StaffMember(Guid.Empty, email, StaffAccounts.DefaultPassword, secret.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal), role);
        var enrolled = await StaffAccounts.PostFormAsync(client, "/staff/enroll/two-factor", new() { ["Code"] = await member.NextCodeAsync() });
        return (client, member, enrolled);
    }

    /// <summary>The public records of the AdminAction entries in the ledger, oldest first.</summary>
    public static async Task<List<string>> AdminActionsAsync(WebFixture fixture)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT convert_from(metadata, 'UTF8') FROM intake.ledger_entries WHERE kind = 8 ORDER BY seq", connection);
        var entries = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(reader.GetString(0));
        }
        return entries;
    }

    public static async Task<Guid> UserIdAsync(WebFixture fixture, string email)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.Superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM accounts.users WHERE email = @email", connection);
        command.Parameters.AddWithValue("email", email);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    [GeneratedRegex("data-invitation-link>https?://[^/<]+(/staff/enroll/([A-Za-z0-9_-]+))</code>")]
    private static partial Regex InvitationLink();

    [GeneratedRegex("<code data-secret>([A-Z2-7 ]+)</code>")]
    private static partial Regex Secret();
}
