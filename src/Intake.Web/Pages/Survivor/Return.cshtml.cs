using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Web.Cases;
using Intake.Web.Submissions;
using Intake.Web.Survivor;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Intake.Web.Pages.Survivor;

/// <summary>
/// Coming back with the receipt. With JavaScript, survivor.js does everything in the browser through the case API.
/// Without it, every form on this page posts her receipt in the body (never in a URL): the server derives the lookup
/// id in memory, with the API's throttle on wrong receipts and its fixed-time comparison (<see cref="CaseStore"/>),
/// and answers with a no-store page that carries the receipt on in hidden fields for the next step.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ReturnModel(
    CaseStore cases, ChannelDirectory directory, LookupThrottle throttle, ProofBundleBuilder proofs, ServerSealing sealing,
    SubmissionIntake intake, IOptions<SubmissionOptions> options, IStringLocalizer<SurvivorText> text) : NoScriptPageModel
{
    public const string FileField = "files";

    /// <summary>What the no-JavaScript page shows after a POST.</summary>
    public enum View
    {
        Lookup,
        Case,
        ConfirmWithdraw,
        Withdrawn,
    }

    public sealed record CaseFacts(string Status, DateOnly OpenedOn, string Channel, int FollowUps);

    public View Showing { get; private set; } = View.Lookup;

    public CaseFacts? Case { get; private set; }

    /// <summary>Her receipt in canonical form, for the hidden field of the next form on this no-store page.</summary>
    public string Receipt { get; private set; } = "";

    /// <summary>What she typed in the receipt field, given back when it did not match.</summary>
    public string TypedReceipt { get; private set; } = "";

    public string? LookupError { get; private set; }

    public string? FollowUpError { get; private set; }

    public string? FollowUpMessage { get; private set; }

    public bool FollowUpAdded { get; private set; }

    public NoScriptFormLimits Limits => new(FileField, AttachmentLimits.MaxAttachments, AttachmentLimits.ContentLimit(options.Value));

    protected override long MaxRequestBytes => Limits.MaxRequestBytes;

    public void OnGet()
    {
    }

    /// <summary>Opens the case: status, day received, channel.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        using var form = await NoScriptForm.ReadAsync(Request, Limits, cancellationToken);
        using var opened = await OpenAsync(form, cancellationToken);
        return opened is null ? Page() : await ShowCaseAsync(opened.Case, cancellationToken);
    }

    /// <summary>The signed proof of submission, as a file (the same bundle as POST /api/cases/proof).</summary>
    public async Task<IActionResult> OnPostProofAsync(CancellationToken cancellationToken)
    {
        using var form = await NoScriptForm.ReadAsync(Request, Limits, cancellationToken);
        using var opened = await OpenAsync(form, cancellationToken);
        if (opened is null)
        {
            return Page();
        }
        var bundle = await proofs.BuildAsync(opened.Case.SubmissionSequence, cancellationToken);
        return File(System.Text.Encoding.UTF8.GetBytes(bundle.ToJson()), "application/json; charset=utf-8", $"intake-proof-{opened.Case.SubmissionSequence}.json");
    }

    /// <summary>A follow-up message and attachments, sealed by the server under her case key (docs/crypto.md §5.6).</summary>
    public async Task<IActionResult> OnPostFollowUpAsync(CancellationToken cancellationToken)
    {
        using var form = await NoScriptForm.ReadAsync(Request, Limits, cancellationToken);
        using var opened = await OpenAsync(form, cancellationToken);
        if (opened is null)
        {
            return Page();
        }
        FollowUpMessage = form.Problem == NoScriptFormProblem.Malformed ? "" : form.Text("message");
        string? problem = form.Problem switch
        {
            NoScriptFormProblem.TooLarge => text["Js_ErrorTooLarge", AttachmentLimits.ContentLimit(options.Value) / (1024 * 1024) + " MiB"].Value,
            NoScriptFormProblem.TooManyFiles => text["Js_ErrorTooMany", AttachmentLimits.MaxAttachments].Value,
            NoScriptFormProblem.Malformed => text["NoScript_ErrorMalformed"].Value,
            _ when form.IsEmpty("message") && form.Files.Count == 0 => text["Js_FollowUpEmpty"].Value,
            _ => null,
        };
        if (problem is not null)
        {
            FollowUpError = problem;
            Response.StatusCode = form.Problem == NoScriptFormProblem.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest;
            return await ShowCaseAsync(opened.Case, cancellationToken);
        }
        using (var message = SecretBytes.Json(json =>
        {
            // As followUp.ts builds it: the message, then the attachments' names and types in stream order.
            json.WriteStartObject();
            json.WriteNumber("v", 1);
            json.WriteString("message", form.Field("message") is { } value ? value.Span : []);
            json.WriteStartArray("attachments");
            foreach (var file in form.Files)
            {
                json.WriteStartObject();
                json.WriteString("name", file.Name);
                json.WriteString("type", file.Type);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }))
        {
            try
            {
                await sealing.AddFollowUpAsync(opened.Case, opened.Secrets, message, form.Files, cancellationToken);
                await intake.AnnounceFollowUpAsync(opened.Case.Id);
            }
            catch (Exception ex) when (ex is SubmissionException or UploadException or ReceiptVaultException)
            {
                FollowUpError = text["Js_ErrorServer"];
                Response.StatusCode = StatusCodes.Status409Conflict;
                return await ShowCaseAsync(opened.Case, cancellationToken);
            }
        }
        FollowUpMessage = null;
        FollowUpAdded = true;
        var refreshed = await cases.FindAsync(opened.Secrets.LookupId, cancellationToken);
        return refreshed is null ? Page() : await ShowCaseAsync(refreshed, cancellationToken);
    }

    /// <summary>Withdrawal: the first POST asks her to confirm; only a POST with confirm=yes deletes.</summary>
    public async Task<IActionResult> OnPostWithdrawAsync(CancellationToken cancellationToken)
    {
        using var form = await NoScriptForm.ReadAsync(Request, Limits, cancellationToken);
        using var opened = await OpenAsync(form, cancellationToken);
        if (opened is null)
        {
            return Page();
        }
        if (form.Text("confirm") != "yes")
        {
            Showing = View.ConfirmWithdraw;
            return Page();
        }
        await cases.WithdrawAsync(opened.Case.Id, cancellationToken);
        Receipt = "";
        Showing = View.Withdrawn;
        return Page();
    }

    private async Task<IActionResult> ShowCaseAsync(CaseView found, CancellationToken cancellationToken)
    {
        var channel = (await directory.ListActiveAsync(cancellationToken)).FirstOrDefault(c => c.Id == found.Channel);
        var channelName = channel is null ? found.Channel : Language == SurvivorLanguage.Chinese ? channel.NameZh : channel.NameEn;
        Case = new CaseFacts(text[$"Js_Status_{found.Status.Replace('-', '_')}"], found.OpenedOn, channelName, found.FollowUps.Count);
        Showing = View.Case;
        return Page();
    }

    // The receipt from the body: parsed (a typo is named without asking the database), throttled like the API, and
    // looked up by the lookup id it derives. Null, with the message set, when it does not open a case.
    private async Task<OpenedCase?> OpenAsync(NoScriptForm form, CancellationToken cancellationToken)
    {
        TypedReceipt = form.Problem == NoScriptFormProblem.Malformed ? "" : form.Text("receipt");
        var connection = HttpContext.Connection.Id ?? "";
        if (!throttle.MayTry(connection))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = "600";
            LookupError = text["NoScript_ReceiptTooManyTries"];
            return null;
        }
        if (form.Problem == NoScriptFormProblem.TooLarge && TypedReceipt.Length == 0)
        {
            // Announced larger than the cap, so not read at all: say why rather than ask for the code.
            Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            LookupError = text["Js_ErrorTooLarge", AttachmentLimits.ContentLimit(options.Value) / (1024 * 1024) + " MiB"];
            return null;
        }
        if (!SurvivorReceipt.TryParse(TypedReceipt, out var receipt, out var error))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            LookupError = text[error switch
            {
                ReceiptParseError.Empty => "Js_ReceiptEmpty",
                ReceiptParseError.InvalidCharacter => "Js_ReceiptInvalid",
                ReceiptParseError.MissingCheckCharacter => "Js_ReceiptMissingCheck",
                ReceiptParseError.WrongLength => "Js_ReceiptWrongLength",
                _ => "Js_ReceiptTypo",
            }];
            return null;
        }
        var secrets = ReceiptSecrets.Derive(receipt!);
        var found = await cases.FindAsync(secrets.LookupId, cancellationToken);
        if (found is null)
        {
            secrets.Dispose();
            throttle.RecordFailure(connection);
            Response.StatusCode = StatusCodes.Status404NotFound;
            LookupError = text["Js_ReceiptNotFound"];
            return null;
        }
        Receipt = receipt!.ToString();
        TypedReceipt = "";
        return new OpenedCase(found, secrets);
    }

    private sealed record OpenedCase(CaseView Case, ReceiptSecrets Secrets) : IDisposable
    {
        public void Dispose() => Secrets.Dispose();
    }
}
