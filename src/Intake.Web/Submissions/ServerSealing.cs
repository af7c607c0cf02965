using System.Security.Cryptography;
using System.Text;
using Intake.Core.Crypto;
using Intake.Storage.Cases;
using Microsoft.Extensions.Options;

namespace Intake.Web.Submissions;

/// <summary>A submission the server sealed for a survivor without JavaScript: what her receipt page shows.</summary>
public sealed record ServerSealedSubmission(string Receipt, long Entry, DateOnly Day);

/// <summary>
/// No-JavaScript mode (DESIGN.md trust model point 7): the server builds, in memory, exactly what her browser would
/// (docs/crypto.md §4, §5, §7): a fresh content key, reply key pair and receipt, the envelope sealed to the channel's
/// current keys, each content stream sealed and uploaded in parts, and the vault. The submission then takes the same
/// path as one from the JSON API (<see cref="SubmissionIntake"/>). Keys and plaintext buffers are zeroed when done.
/// </summary>
public sealed class ServerSealing(UploadStore uploads, CaseStore cases, SubmissionIntake intake, IOptions<SubmissionOptions> options)
{
    /// <summary>Seals and stores a testimony: the body JSON, then each attachment, in envelope order.</summary>
    /// <exception cref="SubmissionException">Refused by the store; nothing was recorded (uploaded streams stay unclaimed).</exception>
    public async Task<ServerSealedSubmission> SubmitAsync(
        string channel, IReadOnlyList<ChannelKey> keys, SecretBytes body, IReadOnlyList<SpooledFile> files, int? keepDays, CancellationToken cancellationToken)
    {
        var contentKey = EnvelopeSealer.GenerateContentKey();
        var (replyPrivate, replyPublic) = HpkeSuite.GenerateKeyPair();
        var receipt = SurvivorReceipt.Generate();
        using var secrets = ReceiptSecrets.Derive(receipt);
        try
        {
            var vault = ReceiptVault.Seal(secrets.VaultKey, replyPrivate, contentKey);
            CryptographicOperations.ZeroMemory(replyPrivate);
            var headers = new List<StreamHeader> { StreamHeader.Create(StreamPurpose.Body, body.Length) };
            headers.AddRange(files.Select(f => StreamHeader.Create(StreamPurpose.Attachment, f.Length)));
            var sealedEnvelope = EnvelopeSealer.Seal(EnvelopeKind.Submission, channel, null, replyPublic,
                keys.Select(k => (ReadOnlyMemory<byte>)k.PublicKey).ToList(), headers, contentKey);

            // The same shape check the JSON API applies to a browser's envelope: the store gets what it would get
            // from her browser, parsed from the same wire form.
            var validation = EnvelopeValidator.Validate(Encoding.UTF8.GetBytes(sealedEnvelope.ToJson()), new EnvelopeValidationOptions
            {
                ChannelId = channel,
                KnownKeyIds = keys.Select(k => Base64UrlStrict.Encode(k.KeyId)).ToHashSet(StringComparer.Ordinal),
                MaxPaddedStreamLength = options.Value.MaxTotalBytes,
            });
            var envelope = validation.Envelope ?? throw new InvalidOperationException("The server sealed an envelope its own validator refuses.");
            var headerHash = envelope.Header.ComputeHash();

            var ids = new List<Guid>();
            await using (var content = body.OpenRead())
            {
                ids.Add(await SealAndUploadAsync(contentKey, headerHash, headers[0], content, body.Length, cancellationToken));
            }
            for (var i = 0; i < files.Count; i++)
            {
                await using var content = files[i].Spool.OpenRead();
                ids.Add(await SealAndUploadAsync(contentKey, headerHash, headers[i + 1], content, files[i].Length, cancellationToken));
            }
            var accepted = await intake.AcceptAsync(new SubmissionRequest(envelope, ids, (byte[])secrets.LookupId.Clone(), vault, KeepDays: keepDays), cancellationToken);
            return new ServerSealedSubmission(receipt.ToString(), accepted.Sequence, accepted.Day);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKey);
            CryptographicOperations.ZeroMemory(replyPrivate);
        }
    }

    /// <summary>
    /// Adds a follow-up to her case (docs/crypto.md §5.6): opens her vault with the key her receipt derives, and seals
    /// a message stream and each attachment with purpose 0x03 under the case content key and the submission's header
    /// hash, one ledger entry per stream, as her browser does.
    /// </summary>
    /// <exception cref="ReceiptVaultException">The vault does not open with this receipt.</exception>
    /// <exception cref="SubmissionException">The case refused the follow-up (withdrawn meanwhile).</exception>
    public async Task AddFollowUpAsync(CaseView found, ReceiptSecrets secrets, SecretBytes message, IReadOnlyList<SpooledFile> files, CancellationToken cancellationToken)
    {
        var (replyPrivate, contentKey) = ReceiptVault.Open(secrets.VaultKey, found.Vault);
        CryptographicOperations.ZeroMemory(replyPrivate);
        try
        {
            var ids = new List<Guid>();
            await using (var content = message.OpenRead())
            {
                ids.Add(await SealAndUploadAsync(contentKey, found.HeaderHash, StreamHeader.Create(StreamPurpose.FollowUp, message.Length), content, message.Length, cancellationToken));
            }
            foreach (var file in files)
            {
                await using var content = file.Spool.OpenRead();
                ids.Add(await SealAndUploadAsync(contentKey, found.HeaderHash, StreamHeader.Create(StreamPurpose.FollowUp, file.Length), content, file.Length, cancellationToken));
            }
            foreach (var id in ids)
            {
                await cases.AddFollowUpAsync(found, id, cancellationToken);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKey);
        }
    }

    // Seals one stream straight into an upload, one part (1 MiB of ciphertext) in memory at a time.
    private async Task<Guid> SealAndUploadAsync(byte[] contentKey, byte[] headerHash, StreamHeader header, Stream content, long length, CancellationToken cancellationToken)
    {
        var status = await uploads.CreateAsync(header.Encode(), options.Value.MaxTotalBytes, cancellationToken);
        await using var output = new UploadPartStream(uploads, status.Id);
        await ContentStreamSealer.SealAsync(contentKey, headerHash, header, content, length, output, cancellationToken);
        await output.CompleteAsync(cancellationToken);
        return status.Id;
    }

    /// <summary>Collects ciphertext into parts of <see cref="UploadStore.MaxPartLength"/> and appends them in order.</summary>
    private sealed class UploadPartStream(UploadStore uploads, Guid upload) : Stream
    {
        private readonly byte[] _part = new byte[UploadStore.MaxPartLength];
        private int _filled;
        private int _next;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (buffer.Length > 0)
            {
                var take = Math.Min(buffer.Length, _part.Length - _filled);
                buffer[..take].CopyTo(_part.AsMemory(_filled));
                _filled += take;
                buffer = buffer[take..];
                if (_filled == _part.Length)
                {
                    await FlushPartAsync(cancellationToken);
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            if (_filled > 0)
            {
                await FlushPartAsync(cancellationToken);
            }
        }

        private async Task FlushPartAsync(CancellationToken cancellationToken)
        {
            await uploads.AppendPartAsync(upload, _next++, _part[.._filled], cancellationToken);
            _filled = 0;
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Sealed streams are written asynchronously.");
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
