using System.Globalization;
using Intake.Core.Crypto;
using Intake.Web.Submissions;

namespace Intake.Web.Survivor;

/// <summary>What the attachment picker allows, as the page states it. <paramref name="Name"/> is the field name the
/// no-JavaScript form posts the files under.</summary>
public sealed record AttachmentLimits(string Id, string Label, int MaxFiles, long MaxBytes, string Name = "files")
{
    /// <summary>
    /// The content the survivor may attach, from the server's ciphertext limit: padding (docs/crypto.md §5.1) and
    /// chunk tags add a few percent at these sizes, so 10/11 of the limit (200 MiB of the default 220 MiB) always fits.
    /// </summary>
    public static long ContentLimit(SubmissionOptions options) => options.MaxTotalBytes / 11 * 10 / (1024 * 1024) * (1024 * 1024);

    /// <summary>An envelope lists one body stream and up to 16 attachments.</summary>
    public const int MaxAttachments = EnvelopeHeader.MaxStreams - 1;

    public string MaxSizeText => string.Create(CultureInfo.InvariantCulture, $"{MaxBytes / (1024 * 1024)} MiB");
}
