using System.Security.Claims;
using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Core.Ledger;
using Intake.Storage.Cases;
using Intake.Storage.Routing;
using Intake.Storage.Workspace;
using Intake.Web.Accounts;
using Intake.Web.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Intake.Web.Submissions;

namespace Intake.Web.Workspace;

/// <summary>
/// The advocate's JSON API: her keys, and the cases assigned to her as ciphertext for her browser
/// to open. Every route needs a signed-in advocate; every case route also needs her assignment,
/// checked here on each request (a hand-over or reassignment takes effect at once).
/// Cross-site requests cannot carry the session: its cookie is SameSite=Strict, and these
/// endpoints accept JSON bodies only, which no cross-site form can send.
/// </summary>
public static class WorkspaceEndpoints
{
    public const int MaxMessageRequestBytes = 24 * 1024;

    public sealed record KeyView(string Kid, string Fingerprint, string Status, DateOnly CreatedOn, JsonElement Wrapped);

    public sealed record EnrolRequest(JsonElement Wrapped);

    public sealed record CaseFileView(Guid Id, string Channel, string Status, DateOnly OpenedOn, string HeaderHash, IReadOnlyList<EntryView> Entries);

    public sealed record EntryView(long Entry, string Kind, DateOnly Day, JsonElement Record, IReadOnlyDictionary<string, string> SealedKeys, bool Mine);

    public sealed record CaseSummary(Guid Id, string Channel, string Status, DateOnly OpenedOn, bool Opened);

    public sealed record StatusRequest(string? Status);

    public sealed record EntryResponse(long Entry, DateOnly Day);

    public static IEndpointRouteBuilder MapIntakeWorkspace(this IEndpointRouteBuilder endpoints)
    {
        var staff = endpoints.MapGroup("/api/staff").RequireAuthorization(StaffPolicies.Advocate);
        staff.MapGet("/keys/mine", MyKeysAsync);
        staff.MapPost("/keys", EnrolAsync);
        staff.MapGet("/cases", MyCasesAsync);
        staff.MapGet("/cases/{id:guid}", ReadCaseAsync);
        staff.MapGet("/cases/{id:guid}/streams/{stream}", StreamAsync);
        staff.MapPost("/cases/{id:guid}/replies", (HttpContext c, Guid id, CaseWorkspaceStore s, ChannelDirectory d, IOptions<SubmissionOptions> o, CancellationToken t) =>
            AddMessageAsync(c, id, LedgerEntryKind.Reply, s, d, o, t));
        staff.MapPost("/cases/{id:guid}/notes", (HttpContext c, Guid id, CaseWorkspaceStore s, ChannelDirectory d, IOptions<SubmissionOptions> o, CancellationToken t) =>
            AddMessageAsync(c, id, LedgerEntryKind.Note, s, d, o, t));
        staff.MapPost("/cases/{id:guid}/status", ChangeStatusAsync);
        return endpoints;
    }

    internal static Guid UserId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            ? id
            : throw new InvalidOperationException("A signed-in staff member has a uuid name identifier.");

    internal static async Task<Ok<List<KeyView>>> MyKeysAsync(ClaimsPrincipal user, AdvocateKeyStore keys, CancellationToken cancellationToken)
    {
        var mine = await keys.ForAdvocateAsync(UserId(user), cancellationToken);
        return TypedResults.Ok(mine.Select(View).ToList());
    }

    internal static async Task<Results<Created<KeyView>, ProblemHttpResult>> EnrolAsync(
        HttpContext context, ClaimsPrincipal user, AdvocateKeyStore keys, CancellationToken cancellationToken)
    {
        var body = await ApiRequests.ReadLimitedAsync(context.Request, 4096, cancellationToken);
        if (body is null)
        {
            return ApiRequests.TooLarge("A key enrolment is at most 4,096 bytes.");
        }
        string? wrapped = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("wrapped", out var member) && member.ValueKind == JsonValueKind.Object)
            {
                wrapped = member.GetRawText();
            }
        }
        catch (JsonException)
        {
        }
        if (wrapped is null)
        {
            return ApiRequests.Invalid("wrapped", "Send {\"wrapped\": {...}}: the wrapped key record of docs/crypto.md §6, made in the browser.");
        }
        try
        {
            var key = await keys.EnrolAsync(UserId(user), wrapped, cancellationToken);
            return TypedResults.Created("/api/staff/keys/mine", View(key));
        }
        catch (KeyChangeException ex)
        {
            return ex.Kind == KeyChangeFailure.Conflict ? ApiRequests.Conflict(ex.Message) : ApiRequests.Invalid("wrapped", ex.Message);
        }
    }

    internal static async Task<Ok<List<CaseSummary>>> MyCasesAsync(ClaimsPrincipal user, CaseWorkspaceStore cases, CancellationToken cancellationToken)
    {
        var assigned = await cases.AssignedToAsync(UserId(user), cancellationToken);
        return TypedResults.Ok(assigned.Select(c => new CaseSummary(c.Id, c.Channel, c.Status, c.OpenedOn, c.FirstOpenedAt is not null)).ToList());
    }

    internal static async Task<Results<Ok<CaseFileView>, ProblemHttpResult>> ReadCaseAsync(
        Guid id, ClaimsPrincipal user, CaseWorkspaceStore cases, AdvocateKeyStore keys, AssignmentStore assignments, CancellationToken cancellationToken)
    {
        var me = UserId(user);
        if (!await cases.IsAssignedAsync(id, me, cancellationToken))
        {
            return NotAssigned();
        }
        var myKeys = (await keys.ForAdvocateAsync(me, cancellationToken)).Where(k => k.Status != "pending").Select(k => k.KeyId).ToList();
        var file = await cases.ReadAsync(id, myKeys, cancellationToken);
        if (file is null)
        {
            return NotAssigned();
        }
        await cases.RecordAccessAsync(id, me, "case.open", cancellationToken: cancellationToken);
        await assignments.MarkOpenedAsync(id, me, cancellationToken); // stops the not-opened reassignment
        return TypedResults.Ok(new CaseFileView(file.Id, file.Channel, file.Status, file.OpenedOn, Base64UrlStrict.Encode(file.HeaderHash),
            file.Entries.Select(e => new EntryView(e.Sequence, KindName(e.Kind), e.Day, Json(e.Record),
                e.SealedKeys.ToDictionary(p => p.Key, p => Base64UrlStrict.Encode(p.Value), StringComparer.Ordinal), e.Author == me)).ToList()));
    }

    internal static async Task<IResult> StreamAsync(
        HttpContext context, Guid id, string stream, ClaimsPrincipal user, CaseWorkspaceStore cases, UploadStore uploads, CancellationToken cancellationToken)
    {
        var me = UserId(user);
        if (!await cases.IsAssignedAsync(id, me, cancellationToken))
        {
            return NotAssigned();
        }
        if (Base64UrlStrict.TryDecode(stream) is not { Length: 16 } streamId)
        {
            return ApiRequests.Invalid("stream", "A stream id: base64url of the 16 bytes in the stream header.");
        }
        // The audit entry comes first: a download that fails half-way was still an access.
        await cases.RecordAccessAsync(id, me, "stream.download", streamId, cancellationToken);
        var length = await uploads.CopyCaseStreamAsync(id, streamId, length =>
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = length;
            return context.Response.Body;
        }, cancellationToken);
        return length is null
            ? TypedResults.Problem("This case has no stream with this id.", statusCode: StatusCodes.Status404NotFound, title: "No such stream")
            : Results.Empty;
    }

    internal static async Task<Results<Created<EntryResponse>, ProblemHttpResult>> AddMessageAsync(
        HttpContext context, Guid id, LedgerEntryKind kind, CaseWorkspaceStore cases, ChannelDirectory directory,
        IOptions<SubmissionOptions> options, CancellationToken cancellationToken)
    {
        var me = UserId(context.User);
        if (!await cases.IsAssignedAsync(id, me, cancellationToken))
        {
            return NotAssigned();
        }
        var body = await ApiRequests.ReadLimitedAsync(context.Request, MaxMessageRequestBytes, cancellationToken);
        if (body is null)
        {
            return ApiRequests.TooLarge($"A reply or note request is at most {MaxMessageRequestBytes} bytes; attachments travel as uploads.");
        }
        byte[]? envelopeJson = null;
        var uploadIds = new List<Guid>();
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("envelope", out var envelope) && envelope.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("uploads", out var uploads) && uploads.ValueKind == JsonValueKind.Array
                && root.EnumerateObject().All(m => m.Name is "envelope" or "uploads"))
            {
                envelopeJson = System.Text.Encoding.UTF8.GetBytes(envelope.GetRawText());
                foreach (var upload in uploads.EnumerateArray())
                {
                    if (upload.ValueKind != JsonValueKind.String || !Guid.TryParseExact(upload.GetString(), "D", out var uploadId))
                    {
                        return ApiRequests.Invalid("uploads", "Upload ids as returned by POST /api/uploads.");
                    }
                    uploadIds.Add(uploadId);
                }
            }
        }
        catch (JsonException)
        {
        }
        if (envelopeJson is null)
        {
            return ApiRequests.Invalid("$", "Send {\"envelope\": {...}, \"uploads\": [...]} with a reply envelope (docs/crypto.md §5.6).");
        }
        if (await cases.FactsAsync(id, cancellationToken) is not { } facts)
        {
            return NotAssigned();
        }
        // Recipients: the channel's current keys (the case team) and, for a reply, the survivor's reply key.
        var known = (await directory.CurrentKeysAsync(facts.Channel, cancellationToken) ?? [])
            .Select(k => Base64UrlStrict.Encode(k.KeyId)).ToHashSet(StringComparer.Ordinal);
        known.Add(Base64UrlStrict.Encode(facts.ReplyKeyId));
        var validation = EnvelopeValidator.Validate(envelopeJson, new EnvelopeValidationOptions
        {
            KnownKeyIds = known,
            ChannelId = facts.Channel,
            TeamOnly = kind == LedgerEntryKind.Note,
            MaxPaddedStreamLength = options.Value.MaxTotalBytes,
        });
        if (validation.Envelope is null)
        {
            var errors = validation.Errors.ToDictionary(e => "envelope." + e.Key, e => e.Value);
            return TypedResults.Problem(new HttpValidationProblemDetails(errors) { Title = "The envelope is not well formed", Status = 400 });
        }
        try
        {
            var entry = await cases.AddMessageAsync(id, me, kind, validation.Envelope, uploadIds, cancellationToken);
            return TypedResults.Created((string?)null, new EntryResponse(entry.Sequence, entry.Day));
        }
        catch (WorkspaceException ex)
        {
            return ex.Kind == WorkspaceFailure.Conflict ? ApiRequests.Conflict(ex.Message) : ApiRequests.Invalid(ex.Field, ex.Message);
        }
        catch (SubmissionException ex)
        {
            return ex.Kind == SubmissionFailure.Conflict ? ApiRequests.Conflict(ex.Message) : ApiRequests.Invalid(ex.Field, ex.Message);
        }
    }

    internal static async Task<Results<Ok<EntryResponse>, ProblemHttpResult>> ChangeStatusAsync(
        HttpContext context, Guid id, CaseWorkspaceStore cases, CancellationToken cancellationToken)
    {
        var me = UserId(context.User);
        if (!await cases.IsAssignedAsync(id, me, cancellationToken))
        {
            return NotAssigned();
        }
        var body = await ApiRequests.ReadLimitedAsync(context.Request, 256, cancellationToken);
        string? status = null;
        try
        {
            status = body is null ? null : JsonSerializer.Deserialize<StatusRequest>(body, JsonSerializerOptions.Web)?.Status;
        }
        catch (JsonException)
        {
        }
        if (status is null)
        {
            return ApiRequests.Invalid("status", $"Send {{\"status\": \"...\"}}, one of: {string.Join(", ", CaseStatuses.Settable)}.");
        }
        try
        {
            var entry = await cases.ChangeStatusAsync(id, me, status, cancellationToken);
            return TypedResults.Ok(new EntryResponse(entry.Sequence, entry.Day));
        }
        catch (WorkspaceException ex)
        {
            return ex.Kind == WorkspaceFailure.Conflict ? ApiRequests.Conflict(ex.Message) : ApiRequests.Invalid(ex.Field, ex.Message);
        }
    }

    // The same answer whether the case does not exist or is someone else's: an advocate learns
    // nothing about cases that are not hers.
    private static ProblemHttpResult NotAssigned() =>
        TypedResults.Problem("This case is not assigned to you. Ask an admin if you need it handed over.",
            statusCode: StatusCodes.Status403Forbidden, title: "Not your case");

    private static KeyView View(AdvocateKey key) =>
        new(Base64UrlStrict.Encode(key.KeyId), key.Fingerprint, key.Status, key.CreatedOn, Json(key.WrappedRecord));

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string KindName(LedgerEntryKind kind) => kind switch
    {
        LedgerEntryKind.Submission => "submission",
        LedgerEntryKind.FollowUp => "follow-up",
        LedgerEntryKind.Reply => "reply",
        LedgerEntryKind.Note => "note",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
