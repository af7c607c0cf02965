using Intake.Web.Accounts;
using Intake.Web.Cases;
using Intake.Web.Health;
using Intake.Web.Hosting;
using Intake.Web.Ledger;
using Intake.Web.Messaging;
using Intake.Web.Retention;
using Intake.Web.Routing;
using Intake.Web.Submissions;
using Intake.Web.Survivor;
using Intake.Web.Workspace;

var builder = WebApplication.CreateBuilder(args);

builder.AddIntakeLogging();
builder.AddIntakeHost();
builder.AddIntakeDatabase();
builder.AddIntakeLedger();
builder.AddIntakeSubmissions();
builder.AddIntakeCases();
builder.AddIntakeMessaging();
builder.AddIntakeRouting();
builder.AddIntakeHealth();
builder.Services.AddRazorPages();
builder.AddIntakeSurvivorPages();
builder.AddIntakeAccounts();
builder.AddIntakePasskeys();
builder.AddIntakeAudit();
builder.AddIntakeWorkspace();
builder.AddIntakeRetention();

var app = builder.Build();

if (!await app.PassesStartupChecksAsync())
{
    await app.DisposeAsync(); // flushes the console logger, so the reason is printed
    return 1;
}

app.UseIntakeRequestPrivacy();
app.UseIntakeSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseStaticFiles();
app.UseIntakeSurvivorPages();
app.UseRateLimiter();
app.UseIntakeAccounts();
app.MapIntakeHealth();
app.MapIntakeLedger();
app.MapIntakeSubmissions();
app.MapIntakeRouting();
app.MapRazorPages();
app.MapIntakeCases();
app.MapIntakeWorkspace();
app.MapIntakePasskeys();
app.MapIntakeAudit();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
