using System.ComponentModel.DataAnnotations;

namespace Intake.Web.Submissions;

/// <summary>Settings of the "Submissions" section.</summary>
public sealed class SubmissionOptions
{
    public const string Section = "Submissions";

    /// <summary>Most ciphertext bytes one submission may carry across its body and attachments (default 200 MiB of content, plus padding and tags).</summary>
    [Range(64 * 1024, 4L * 1024 * 1024 * 1024, ErrorMessage = "Submissions:MaxTotalBytes must be between 64 KiB and 4 GiB.")]
    public long MaxTotalBytes { get; set; } = 220L * 1024 * 1024;

    /// <summary>Leading zero bits the submission's proof of work must have (0 turns it off). 16 costs a phone about a second.</summary>
    [Range(0, 28, ErrorMessage = "Submissions:ProofOfWorkBits must be between 0 and 28.")]
    public int ProofOfWorkBits { get; set; } = 16;
}
