using System.Text.Json;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Web.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Intake.Web.Submissions;

/// <summary>
/// The survivor's API: channels and their keys, encrypted stream uploads in resumable parts,
/// and the submission that ties an envelope to its streams. The server checks the shape of what
/// it is given (docs/crypto.md §4.5) and nothing more: it cannot read any of it.
/// </summary>
public static class SubmissionEndpoints
{
    public const int MaxSubmissionRequestBytes = 64 * 1024;

    public static IHostApplicationBuilder AddIntakeSubmissions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SubmissionOptions>()
            .Bind(builder.Configuration.GetSection(SubmissionOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ChannelDirectory>();
        builder.Services.AddSingleton<UploadStore>();
        builder.Services.AddSingleton<SubmissionStore>();
        builder.Services.AddSingleton<ProofOfWork>();
        builder.Services.AddScoped<SubmissionIntake>();
        return builder;
    }

    public static IEndpointRouteBuilder MapIntakeSubmissions(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        api.MapGet("/channels", ListChannelsAsync);
        api.MapGet("/channels/{channel}/keys", GetKeysAsync);
        api.MapPost("/uploads", CreateUploadAsync);
        api.MapGet("/uploads/{id:guid}", GetUploadAsync);
        api.MapPut("/uploads/{id:guid}/parts/{part:int}", PutPartAsync);
        api.MapPost("/channels/{channel}/submissions", SubmitAsync);
        api.MapGet("/pow", (ProofOfWork pow) => TypedResults.Ok(new PowChallenge(pow.NewChallenge(), pow.Difficulty)));
        return endpoints;
    }

    public sealed record ChannelResponse(string Id, ChannelNames Names);

    public sealed record ChannelNames(string En, string Zh);

    public sealed record KeyResponse(string Kid, string PublicKey);

    public sealed record KeysResponse(string Channel, IReadOnlyList<KeyResponse> Keys);

    public sealed record UploadResponse(Guid Id, long TotalLength, long ReceivedLength, int NextPart, bool Complete, int MaxPartLength);

    public sealed record PowChallenge(string Challenge, int Difficulty);

    public sealed record SubmissionResponse(long Entry, DateOnly Day, string LeafHash, string HeaderHash);

    internal static async Task<Ok<List<ChannelResponse>>> ListChannelsAsync(ChannelDirectory directory, CancellationToken cancellationToken) =>
        TypedResults.Ok((await directory.ListActiveAsync(cancellationToken))
            .Select(c => new ChannelResponse(c.Id, new ChannelNames(c.NameEn, c.NameZh))).ToList());

    internal static async Task<Results<Ok<KeysResponse>, ProblemHttpResult>> GetKeysAsync(string channel, ChannelDirectory directory, CancellationToken cancellationToken)
    {
        var keys = EnvelopeHeader.IsValidChannelId(channel) ? await directory.CurrentKeysAsync(channel, cancellationToken) : null;
        return keys is null
            ? UnknownChannel(channel)
            : TypedResults.Ok(new KeysResponse(channel, keys.Select(k => new KeyResponse(Base64UrlStrict.Encode(k.KeyId), Base64UrlStrict.Encode(k.PublicKey))).ToList()));
    }

    internal static async Task<Results<Created<UploadResponse>, ProblemHttpResult>> CreateUploadAsync(
        HttpRequest request, UploadStore uploads, IOptions<SubmissionOptions> options, CancellationToken cancellationToken)
    {
        var body = await ApiRequests.ReadLimitedAsync(request, 1024, cancellationToken);
        if (body is null)
        {
            return ApiRequests.TooLarge("An upload is created with a small JSON body: {\"header\": \"<base64url of the 30-byte stream header>\"}.");
        }
        byte[]? header = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.EnumerateObject().Count() == 1
                && document.RootElement.TryGetProperty("header", out var value)
                && value.ValueKind == JsonValueKind.String)
            {
                header = Base64UrlStrict.TryDecode(value.GetString());
            }
        }
        catch (JsonException)
        {
            header = null;
        }
        if (header is null)
        {
            return ApiRequests.Invalid("header", "Send {\"header\": \"<base64url of the 30-byte stream header>\"} and nothing else.");
        }
        try
        {
            var status = await uploads.CreateAsync(header, options.Value.MaxTotalBytes, cancellationToken);
            return TypedResults.Created($"/api/uploads/{status.Id}", ToResponse(status));
        }
        catch (UploadException ex)
        {
            return UploadProblem(ex);
        }
    }

    internal static async Task<Results<Ok<UploadResponse>, ProblemHttpResult>> GetUploadAsync(Guid id, UploadStore uploads, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(ToResponse(await uploads.StatusAsync(id, cancellationToken)));
        }
        catch (UploadException ex)
        {
            return UploadProblem(ex);
        }
    }

    internal static async Task<Results<Ok<UploadResponse>, ProblemHttpResult>> PutPartAsync(
        Guid id, int part, HttpRequest request, UploadStore uploads, CancellationToken cancellationToken)
    {
        var bytes = await ApiRequests.ReadLimitedAsync(request, UploadStore.MaxPartLength, cancellationToken);
        if (bytes is null)
        {
            return ApiRequests.TooLarge($"A part has at most {UploadStore.MaxPartLength} bytes.");
        }
        try
        {
            return TypedResults.Ok(ToResponse(await uploads.AppendPartAsync(id, part, bytes, cancellationToken)));
        }
        catch (UploadException ex)
        {
            return UploadProblem(ex);
        }
    }

    internal static async Task<Results<Created<SubmissionResponse>, ProblemHttpResult>> SubmitAsync(
        string channel,
        HttpRequest request,
        ChannelDirectory directory,
        SubmissionIntake intake,
        ProofOfWork pow,
        IOptions<SubmissionOptions> options,
        CancellationToken cancellationToken)
    {
        var keys = EnvelopeHeader.IsValidChannelId(channel) ? await directory.CurrentKeysAsync(channel, cancellationToken) : null;
        if (keys is null)
        {
            return UnknownChannel(channel);
        }
        var body = await ApiRequests.ReadLimitedAsync(request, MaxSubmissionRequestBytes, cancellationToken);
        if (body is null)
        {
            return ApiRequests.TooLarge($"A submission request has at most {MaxSubmissionRequestBytes} bytes; streams are uploaded separately.");
        }
        var parsed = SubmissionRequestParser.Parse(body);
        if (parsed.Errors.Count > 0)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(parsed.Errors) { Title = "The submission is not well formed", Status = 400 });
        }
        var validation = EnvelopeValidator.Validate(parsed.Envelope, new EnvelopeValidationOptions
        {
            ChannelId = channel,
            KnownKeyIds = keys.Select(k => Base64UrlStrict.Encode(k.KeyId)).ToHashSet(StringComparer.Ordinal),
            MaxPaddedStreamLength = options.Value.MaxTotalBytes,
        });
        if (!validation.IsValid)
        {
            var errors = validation.Errors.ToDictionary(e => "envelope." + e.Key, e => e.Value);
            return TypedResults.Problem(new HttpValidationProblemDetails(errors) { Title = "The envelope is not well formed", Status = 400 });
        }
        var envelope = validation.Envelope!;
        if (envelope.Header.Streams.Sum(s => s.CiphertextLength) > options.Value.MaxTotalBytes)
        {
            return ApiRequests.TooLarge($"The submission's streams add up to more than {options.Value.MaxTotalBytes} bytes.");
        }
        // After the cheap shape checks, before the expensive work: reading streams, the ledger.
        if (pow.Spend(parsed.PowChallenge, parsed.PowNonce) is { } powProblem)
        {
            return ApiRequests.Invalid("proofOfWork", powProblem, "The proof of work is missing or wrong");
        }
        if (parsed.Routing is { } hints && await request.HttpContext.RequestServices.GetRequiredService<Storage.Routing.RoutingDirectory>()
                .CheckHintsAsync(hints, cancellationToken) is { } hintProblem)
        {
            return ApiRequests.Invalid(hintProblem.Field, hintProblem.Message, "The routing choices are not known");
        }
        AcceptedSubmission accepted;
        try
        {
            accepted = await intake.AcceptAsync(new SubmissionRequest(envelope, parsed.Uploads, parsed.LookupId, parsed.Vault, parsed.Routing, parsed.KeepDays), cancellationToken);
        }
        catch (SubmissionException ex)
        {
            return ex.Kind == SubmissionFailure.Conflict
                ? ApiRequests.Conflict(ex.Message)
                : ApiRequests.Invalid(ex.Field, ex.Message, "The submission cannot be accepted");
        }

        return TypedResults.Created((string?)null, new SubmissionResponse(accepted.Sequence, accepted.Day,
            Base64UrlStrict.Encode(accepted.LeafHash), Base64UrlStrict.Encode(accepted.HeaderHash)));
    }

    private static UploadResponse ToResponse(UploadStatus status) =>
        new(status.Id, status.TotalLength, status.ReceivedLength, status.NextPart, status.Complete, UploadStore.MaxPartLength);

    private static ProblemHttpResult UploadProblem(UploadException ex) => ex.Kind switch
    {
        UploadFailure.NotFound => TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "No such upload"),
        UploadFailure.Conflict => ApiRequests.Conflict(ex.Message),
        UploadFailure.TooLarge => ApiRequests.TooLarge(ex.Message),
        _ => TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid upload"),
    };

    private static ProblemHttpResult UnknownChannel(string channel) =>
        TypedResults.Problem($"There is no open channel '{(channel.Length > 40 ? channel[..40] : channel)}'.", statusCode: StatusCodes.Status404NotFound, title: "Unknown channel");
}
