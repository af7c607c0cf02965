namespace Intake.Core.Crypto;

/// <summary>Who made an envelope and why; bound into the envelope header.</summary>
public enum EnvelopeKind : byte
{
    /// <summary>A survivor's testimony, sealed to the channel's advocates.</summary>
    Submission = 0x01,

    /// <summary>An advocate's reply, sealed to the survivor's reply key and the case team.</summary>
    Reply = 0x02,
}
