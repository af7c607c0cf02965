using System.Globalization;

namespace Intake.Core.Crypto;

/// <summary>
/// A ledger checkpoint in the C2SP tlog-checkpoint layout plus a coarse date line:
/// "origin\n" "tree size\n" "base64(root hash)\n" "time YYYY-MM-DD\n".
/// </summary>
public sealed record CheckpointBody(string Origin, long TreeSize, ReadOnlyMemory<byte> RootHash, DateOnly Date)
{
    /// <summary>The note body text.</summary>
    public string ToNoteBody()
    {
        if (!NoteBodyLines.IsValidOrigin(Origin) || TreeSize < 0 || RootHash.Length != 32)
        {
            throw new InvalidOperationException("The checkpoint has an invalid origin, size or root hash.");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Origin}\n{TreeSize}\n{Convert.ToBase64String(RootHash.Span)}\ntime {NoteBodyLines.FormatDate(Date)}\n");
    }

    /// <summary>Parses a verified note body; refuses any other form.</summary>
    /// <exception cref="FormatException">Not exactly this layout in canonical form.</exception>
    public static CheckpointBody Parse(string body)
    {
        string[] lines = NoteBodyLines.Split(body, 4);
        return new CheckpointBody(
            NoteBodyLines.Origin(lines[0]),
            NoteBodyLines.Decimal(lines[1]),
            NoteBodyLines.Hash(lines[2]),
            NoteBodyLines.Date(NoteBodyLines.Keyword(lines[3], "time")));
    }
}
