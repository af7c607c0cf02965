using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Intake.Web.Submissions;
using Intake.Web.Survivor;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Intake.Web.Pages.Survivor;

/// <summary>
/// "Give testimony". With JavaScript, survivor.js takes the form and encrypts in the browser (this model only renders
/// the page). Without it, the form posts here as multipart/form-data and the server seals it in memory
/// (<see cref="ServerSealing"/>); she gets her receipt once, on the page this POST returns.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class SubmitModel(
    ChannelDirectory directory, ServerSealing sealing, IOptions<SubmissionOptions> options, IStringLocalizer<SurvivorText> text) : NoScriptPageModel
{
    public const string FileField = "files";

    private static readonly string[] AnswerFields = ["what", "where", "relationship", "witnesses"];

    /// <summary>The periods she may choose herself, in days (docs/retention.md §1); no choice follows the policies.</summary>
    public static readonly IReadOnlyList<int> KeepChoices = [30, 90, 180];

    public IReadOnlyList<Channel> Channels { get; private set; } = [];

    /// <summary>Each channel's own questions, asked after the standard ones.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ChannelQuestion>> Questions { get; private set; } =
        new Dictionary<string, IReadOnlyList<ChannelQuestion>>();

    /// <summary>The form field of a channel's own question.</summary>
    public static string QuestionField(string channel, int position) => $"q-{channel}-{position}";

    /// <summary>What she typed, given back when the form is shown again (never her files).</summary>
    public Dictionary<string, string> Kept { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> KeptWants { get; private set; } = [];

    /// <summary>Why the form was not sent; shown at the top of the form.</summary>
    public string? Error { get; private set; }

    /// <summary>Set once the testimony is stored: the receipt page.</summary>
    public ServerSealedSubmission? Done { get; private set; }

    public NoScriptFormLimits Limits => new(FileField, AttachmentLimits.MaxAttachments, AttachmentLimits.ContentLimit(options.Value),
        Questions.Values.Sum(q => q.Count));

    protected override long MaxRequestBytes => Limits.MaxRequestBytes;

    public string Value(string name) => Kept.TryGetValue(name, out var value) ? value : "";

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadChannelsAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadChannelsAsync(cancellationToken);
        using var form = await NoScriptForm.ReadAsync(Request, Limits, cancellationToken);
        switch (form.Problem)
        {
            case NoScriptFormProblem.TooLarge:
                return Refuse(form, StatusCodes.Status413PayloadTooLarge, text["Js_ErrorTooLarge", AttachmentLimits.ContentLimit(options.Value) / (1024 * 1024) + " MiB"]);
            case NoScriptFormProblem.TooManyFiles:
                return Refuse(form, StatusCodes.Status400BadRequest, text["Js_ErrorTooMany", AttachmentLimits.MaxAttachments]);
            case NoScriptFormProblem.Malformed:
                return Refuse(form, StatusCodes.Status400BadRequest, text["NoScript_ErrorMalformed"]);
        }

        var channel = form.Text("channel");
        if (channel.Length == 0)
        {
            return Refuse(form, StatusCodes.Status400BadRequest, text["Js_ErrorChannel"]);
        }
        var keys = EnvelopeHeader.IsValidChannelId(channel) ? await directory.CurrentKeysAsync(channel, cancellationToken) : null;
        if (keys is not { Count: > 0 })
        {
            var refused = Refuse(form, StatusCodes.Status404NotFound, text["Js_ErrorChannelGone"]);
            Kept["channel"] = "";
            return refused;
        }
        if (form.IsEmpty("what") && form.IsEmpty("narrative") && form.Files.Count == 0)
        {
            return Refuse(form, StatusCodes.Status400BadRequest, text["Js_ErrorEmpty"]);
        }

        int? keepDays = null;
        if (form.Text("keep") is { Length: > 0 } keep)
        {
            if (!int.TryParse(keep, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days)
                || !KeepChoices.Contains(days))
            {
                return Refuse(form, StatusCodes.Status400BadRequest, text["NoScript_ErrorKeep"]);
            }
            keepDays = days;
        }

        using var body = BodyJson(form, channel, Questions.GetValueOrDefault(channel) ?? [], Language == SurvivorLanguage.Chinese);
        try
        {
            Done = await sealing.SubmitAsync(channel, keys, body, form.Files, keepDays, cancellationToken);
        }
        catch (Exception ex) when (ex is SubmissionException or UploadException)
        {
            return Refuse(form, StatusCodes.Status409Conflict, text["Js_ErrorServer"]);
        }
        return Page();
    }

    private async Task LoadChannelsAsync(CancellationToken cancellationToken)
    {
        Channels = await directory.ListActiveAsync(cancellationToken);
        Questions = await directory.QuestionsAsync(cancellationToken);
    }

    /// <summary>
    /// The body stream, as submission.ts's bodyJson() builds it: answers, narrative, and each attachment's name and
    /// type in envelope order; then, when her channel has questions of its own, each question as she read it with her
    /// answer. Written from the UTF-8 bytes she sent, into a buffer zeroed after sealing.
    /// </summary>
    internal static SecretBytes BodyJson(NoScriptForm form, string channel, IReadOnlyList<ChannelQuestion> questions, bool chinese) => SecretBytes.Json(json =>
    {
        void Field(string name) => json.WriteString(name, form.Field(name) is { } value ? value.Span : []);
        json.WriteStartObject();
        json.WriteNumber("v", 1);
        json.WriteStartObject("answers");
        Field("what");
        Field("when");
        Field("where");
        Field("relationship");
        Field("witnesses");
        json.WriteStartArray("wants");
        foreach (var want in form.Values("wants"))
        {
            json.WriteStringValue(want.Span);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        Field("narrative");
        json.WriteStartArray("attachments");
        foreach (var file in form.Files)
        {
            json.WriteStartObject();
            json.WriteString("name", file.Name);
            json.WriteString("type", file.Type);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (questions.Count > 0)
        {
            json.WriteStartArray("extra");
            foreach (var question in questions)
            {
                json.WriteStartObject();
                json.WriteString("question", chinese ? question.LabelZh : question.LabelEn);
                json.WriteString("answer", form.Field(QuestionField(channel, question.Position)) is { } answer ? answer.Span : []);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    });

    // Only a refused form turns her words into strings again, to give them back in the page.
    private PageResult Refuse(NoScriptForm form, int status, string message)
    {
        if (form.Problem != NoScriptFormProblem.Malformed)
        {
            foreach (var name in AnswerFields.Append("narrative").Append("channel").Append("when").Append("keep"))
            {
                Kept[name] = form.Text(name);
            }
            KeptWants = form.Values("wants").Select(v => v.ToText()).ToList();
            foreach (var (channel, questions) in Questions)
            {
                foreach (var question in questions)
                {
                    Kept[QuestionField(channel, question.Position)] = form.Text(QuestionField(channel, question.Position));
                }
            }
        }
        Error = message;
        Response.StatusCode = status;
        return Page();
    }
}
