namespace Intake.Core.Crypto;

/// <summary>What a content stream carries; bound into every chunk so the server cannot present one as another.</summary>
public enum StreamPurpose : byte
{
    /// <summary>The main text of a submission or of a reply.</summary>
    Body = 0x01,

    /// <summary>A file attached to a submission or reply.</summary>
    Attachment = 0x02,

    /// <summary>A later addition by the survivor, under the case content key.</summary>
    FollowUp = 0x03,
}
