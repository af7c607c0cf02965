namespace Intake.Web.Tests.Crypto;

// Shapes of what window.intakeCrypto returns (see src/Intake.Web/client/src/crypto-harness.ts). Byte strings are
// standard base64 unless the name ends in B64u. Ok/Code: the call failed with IntakeCryptoError.code.

public sealed record SealedStream(string Stream, int[] Pieces, int[] Reads);

public sealed record StreamSealResult(bool Ok, string? Code, string Stream, int[] Pieces, int[] Reads);

public sealed record OpenStreamResult(bool Ok, string? Code, string? Content);

public sealed record StreamLayout(long PaddedLength, long ChunkCount, long CiphertextLength);

public sealed record EnvelopeSealResult(string HeaderBytes, string HeaderHash, string Json);

public sealed record EnvelopeOpenResult(bool Ok, string? Code, string? ContentKey, string? HeaderHash);

public sealed record CaseSealResult(
    bool Ok, string? Code, string Json, string HeaderHash, string ContentKey, string? ReplyPrivateKey, string ReplyPublicKey, SealedStream[] Streams);

public sealed record CaseOpenResult(bool Ok, string? Code, string[]? Contents);

public sealed record RfcVectorResult(string PkEm, string SkEm, string PkRm, string SkRm, string Enc, string[] Ciphertexts, string[] Opened, string[] Exports);

public sealed record ReceiptParseResult(bool Ok, string? Secret, string? Error);

public sealed record ReceiptDerivation(string LookupId, string LookupIdB64u, string VaultKey);

public sealed record VaultOpenResult(bool Ok, string? Code, string? ReplyPrivateKey, string? ContentKey);

public sealed record NewReceiptResult(string Text, string LookupIdB64u, string VaultB64u);

public sealed record ReceiptOpenResult(bool Ok, string? Code, string? LookupIdB64u, string? ReplyPrivateKey, string? ContentKey);

public sealed record KeyPairResult(string PrivateKey, string PublicKey);

public sealed record WrapResult(bool Ok, string? Code, string? Record);

public sealed record UnwrapResult(bool Ok, string? Code, string? PrivateKey);

public sealed record NoteResult(bool Ok, string? Code, string? Body, string[]? SignedBy);
