using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Storage.Ledger;
using Intake.Web.Hosting;
using Intake.Web.Submissions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Intake.Web.Cases;

/// <summary>
/// The survivor's return visit, authorised by the lookup id her receipt derives (in POST bodies
/// only, never in URLs): see her case, add to it, download her proof, or withdraw it.
/// </summary>
public static class CaseEndpoints
{
    public const int MaxRequestBytes = 1024;

    public sealed record LookupResponse(
        string Status, DateOnly OpenedOn, string Channel, string Vault, SubmissionView Submission,
        IReadOnlyList<FollowUpItem> FollowUps, IReadOnlyList<ReplyItem> Replies);

    /// <summary>An advocate's reply: the envelope's ledger record and the content key sealed to her reply key (enc || sealedKey).</summary>
    public sealed record ReplyItem(long Entry, DateOnly Day, JsonElement Record, string SealedKey);

    public sealed record SubmissionView(long Entry, JsonElement Record, string HeaderHash);

    public sealed record FollowUpItem(long Entry, DateOnly Day, string Stream);

    public sealed record EntryResponse(long Entry, DateOnly Day);

    public sealed record WithdrawResponse(bool Withdrawn);

    public static IEndpointRouteBuilder MapIntakeCases(this IEndpointRouteBuilder endpoints)
    {
        var cases = endpoints.MapGroup("/api/cases");
        cases.MapPost("/lookup", LookupAsync);
        cases.MapPost("/follow-ups", AddFollowUpAsync);
        cases.MapPost("/proof", ProofAsync);
        cases.MapPost("/withdraw", WithdrawAsync);
        cases.MapPost("/streams", StreamAsync);
        return endpoints;
    }

    internal static async Task<Results<Ok<LookupResponse>, ProblemHttpResult>> LookupAsync(
        HttpContext context, CaseStore cases, LookupThrottle throttle, CancellationToken cancellationToken)
    {
        var (found, problem) = await FindAsync(context, cases, throttle, [], cancellationToken);
        if (found is null)
        {
            return problem!;
        }
        using var record = JsonDocument.Parse(found.SubmissionRecord);
        return TypedResults.Ok(new LookupResponse(found.Status, found.OpenedOn, found.Channel, Base64UrlStrict.Encode(found.Vault),
            new SubmissionView(found.SubmissionSequence, record.RootElement.Clone(), Base64UrlStrict.Encode(found.HeaderHash)),
            found.FollowUps.Select(f => new FollowUpItem(f.Sequence, f.Day, Base64UrlStrict.Encode(f.StreamHeader))).ToList(),
            (found.Replies ?? []).Select(ReplyItemOf).ToList()));
    }

    private static ReplyItem ReplyItemOf(ReplyView reply)
    {
        using var record = JsonDocument.Parse(reply.Record);
        return new ReplyItem(reply.Sequence, reply.Day, record.RootElement.Clone(), Base64UrlStrict.Encode(reply.SealedKey));
    }

    internal static async Task<Results<Created<EntryResponse>, ProblemHttpResult>> AddFollowUpAsync(
        HttpContext context, CaseStore cases, LookupThrottle throttle, SubmissionIntake intake, CancellationToken cancellationToken)
    {
        var (found, problem) = await FindAsync(context, cases, throttle, ["upload"], cancellationToken);
        if (found is null)
        {
            return problem!;
        }
        if (!Guid.TryParseExact(context.Items["upload"] as string, "D", out var upload))
        {
            return ApiRequests.Invalid("upload", "An upload id as returned by POST /api/uploads.");
        }
        try
        {
            var entry = await cases.AddFollowUpAsync(found, upload, cancellationToken);
            await intake.AnnounceFollowUpAsync(found.Id);
            return TypedResults.Created((string?)null, new EntryResponse(entry.Sequence, entry.Day));
        }
        catch (SubmissionException ex)
        {
            return ex.Kind == SubmissionFailure.Conflict
                ? ApiRequests.Conflict(ex.Message)
                : ApiRequests.Invalid(ex.Field, ex.Message);
        }
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> ProofAsync(
        HttpContext context, CaseStore cases, LookupThrottle throttle, ProofBundleBuilder proofs, CancellationToken cancellationToken)
    {
        var (found, problem) = await FindAsync(context, cases, throttle, [], cancellationToken);
        if (found is null)
        {
            return problem!;
        }
        var bundle = await proofs.BuildAsync(found.SubmissionSequence, cancellationToken);
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"intake-proof-{found.SubmissionSequence}.json\"";
        return TypedResults.Text(bundle.ToJson(), "application/json; charset=utf-8");
    }

    /// <summary>
    /// One stored stream of her case (her testimony, an attachment, a follow-up or a reply), as
    /// ciphertext: her browser decrypts it with the keys in her vault.
    /// </summary>
    internal static async Task<IResult> StreamAsync(
        HttpContext context, CaseStore cases, UploadStore uploads, LookupThrottle throttle, CancellationToken cancellationToken)
    {
        var (found, problem) = await FindAsync(context, cases, throttle, ["stream"], cancellationToken);
        if (found is null)
        {
            return problem!;
        }
        if (Base64UrlStrict.TryDecode(context.Items["stream"] as string) is not { Length: 16 } streamId)
        {
            return ApiRequests.Invalid("stream", "A stream id: base64url of the 16 bytes in the stream header.");
        }
        var length = await uploads.CopyCaseStreamAsync(found.Id, streamId, length =>
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = length;
            return context.Response.Body;
        }, cancellationToken);
        return length is null
            ? TypedResults.Problem("This case has no stream with this id.", statusCode: StatusCodes.Status404NotFound, title: "No such stream")
            : Results.Empty;
    }

    internal static async Task<Results<Ok<WithdrawResponse>, ProblemHttpResult>> WithdrawAsync(
        HttpContext context, CaseStore cases, LookupThrottle throttle, CancellationToken cancellationToken)
    {
        var (found, problem) = await FindAsync(context, cases, throttle, ["confirm"], cancellationToken);
        if (found is null)
        {
            return problem!;
        }
        if (context.Items["confirm"] is not true)
        {
            return ApiRequests.Invalid("confirm", "Withdrawal deletes everything at once and cannot be undone; send \"confirm\": true.");
        }
        await cases.WithdrawAsync(found.Id, cancellationToken);
        return TypedResults.Ok(new WithdrawResponse(true));
    }

    // Reads {"lookupId": ..., plus the named extra members} strictly, throttles wrong receipts,
    // and finds the case. Extra members land in HttpContext.Items for the caller.
    private static async Task<(CaseView? Found, ProblemHttpResult? Problem)> FindAsync(
        HttpContext context, CaseStore cases, LookupThrottle throttle, string[] extra, CancellationToken cancellationToken)
    {
        var connection = context.Connection.Id ?? "";
        if (!throttle.MayTry(connection))
        {
            context.Response.Headers.RetryAfter = "600";
            return (null, TypedResults.Problem("Too many receipts that did not match. Wait a few minutes and try again.",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts"));
        }
        byte[]? lookupId = null;
        try
        {
            var body = await ApiRequests.ReadLimitedAsync(context.Request, MaxRequestBytes, cancellationToken);
            if (body is not null)
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object
                    && root.EnumerateObject().All(m => m.Name == "lookupId" || extra.Contains(m.Name))
                    && root.TryGetProperty("lookupId", out var value) && value.ValueKind == JsonValueKind.String)
                {
                    lookupId = Base64UrlStrict.TryDecode(value.GetString());
                    foreach (var name in extra)
                    {
                        if (root.TryGetProperty(name, out var member))
                        {
                            context.Items[name] = member.ValueKind switch
                            {
                                JsonValueKind.String => member.GetString(),
                                JsonValueKind.True => true,
                                JsonValueKind.False => false,
                                _ => null,
                            };
                        }
                    }
                }
            }
        }
        catch (JsonException)
        {
            lookupId = null;
        }
        if (lookupId is not { Length: ReceiptSecrets.Length })
        {
            return (null, ApiRequests.Invalid("lookupId", "Send {\"lookupId\": \"<base64url of 32 bytes>\"}, derived from the receipt in the browser."));
        }
        var found = await cases.FindAsync(lookupId, cancellationToken);
        if (found is null)
        {
            throttle.RecordFailure(connection);
            return (null, TypedResults.Problem("No case matches this receipt. Check it for typos; if it was withdrawn, nothing of it is kept.",
                statusCode: StatusCodes.Status404NotFound, title: "No such case"));
        }
        return (found, null);
    }
}
