namespace Intake.Core.Ledger;

/// <summary>What a ledger entry records. The numbers are part of every leaf hash: never reuse one.</summary>
public enum LedgerEntryKind : short
{
    Submission = 1,
    FollowUp = 2,
    Reply = 3,
    Note = 4,
    StatusChange = 5,
    Assignment = 6,
    KeyDirectoryChange = 7,
    AdminAction = 8,
    LegalHold = 9,
    PurgeTombstone = 10,
    Access = 11,
}
