using System.Globalization;

namespace Intake.Core.Crypto;

/// <summary>
/// Proof of submission, signed by the service: "origin\n" "intake-submission/v1\n" "index N\n" "leaf base64\n"
/// "envelope base64\n" "date YYYY-MM-DD\n". The date is the UTC day only, never a finer time.
/// </summary>
public sealed record SubmissionReceiptBody(string Origin, long LeafIndex, ReadOnlyMemory<byte> LeafHash, ReadOnlyMemory<byte> EnvelopeHeaderHash, DateOnly Date)
{
    private const string TypeLine = "intake-submission/v1";

    /// <summary>The note body text.</summary>
    public string ToNoteBody()
    {
        if (!NoteBodyLines.IsValidOrigin(Origin) || LeafIndex < 0 || LeafHash.Length != 32 || EnvelopeHeaderHash.Length != 32)
        {
            throw new InvalidOperationException("The receipt has an invalid origin, index or hash.");
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Origin}\n{TypeLine}\nindex {LeafIndex}\nleaf {Convert.ToBase64String(LeafHash.Span)}\nenvelope {Convert.ToBase64String(EnvelopeHeaderHash.Span)}\ndate {NoteBodyLines.FormatDate(Date)}\n");
    }

    /// <summary>Parses a verified note body; refuses any other form.</summary>
    /// <exception cref="FormatException">Not exactly this layout in canonical form.</exception>
    public static SubmissionReceiptBody Parse(string body)
    {
        string[] lines = NoteBodyLines.Split(body, 6);
        if (lines[1] != TypeLine)
        {
            throw new FormatException("Not a submission receipt.");
        }

        return new SubmissionReceiptBody(
            NoteBodyLines.Origin(lines[0]),
            NoteBodyLines.Decimal(NoteBodyLines.Keyword(lines[2], "index")),
            NoteBodyLines.Hash(NoteBodyLines.Keyword(lines[3], "leaf")),
            NoteBodyLines.Hash(NoteBodyLines.Keyword(lines[4], "envelope")),
            NoteBodyLines.Date(NoteBodyLines.Keyword(lines[5], "date")));
    }
}
