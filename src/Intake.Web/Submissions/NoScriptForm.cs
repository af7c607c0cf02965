using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Intake.Web.Submissions;

/// <summary>Why a no-JavaScript form could not be taken as it was sent.</summary>
public enum NoScriptFormProblem
{
    None,
    Malformed,
    TooLarge,
    TooManyFiles,
}

/// <summary>What a no-JavaScript form may carry.</summary>
/// <param name="FileField">The name of the file input.</param>
/// <param name="MaxFiles">Most files.</param>
/// <param name="MaxFileBytes">Most bytes across all files.</param>
/// <param name="ExtraFields">Text fields beyond the standard ones the form may carry (channels' own questions).</param>
public sealed record NoScriptFormLimits(string FileField, int MaxFiles, long MaxFileBytes, int ExtraFields = 0)
{
    /// <summary>Most bytes of one text field (the narrative is the long one).</summary>
    public const int MaxFieldBytes = 1024 * 1024;

    /// <summary>Most bytes across all text fields.</summary>
    public const int MaxTextBytes = 2 * 1024 * 1024;

    /// <summary>Most sections of any kind in a standard form.</summary>
    public const int StandardSections = 64;

    /// <summary>Most sections of any kind in this form.</summary>
    public int MaxSections => StandardSections + ExtraFields;

    /// <summary>The request body may be this much larger than the files: text fields, part headers, boundaries.</summary>
    public const long Overhead = MaxTextBytes + (1024 * 1024);

    /// <summary>The hard cap of the whole request body.</summary>
    public long MaxRequestBytes => MaxFileBytes + Overhead;
}

/// <summary>
/// A multipart/form-data body read as a stream, never through ASP.NET's form reader (which buffers files of more
/// than 64 KiB in temporary files): text fields are kept as UTF-8 in buffers zeroed on dispose, files are encrypted
/// as they arrive into an in-memory spool under a key that dies with the request (<see cref="EncryptedSpool"/>).
/// When a limit is passed the rest of the body is read and dropped, so the browser gets the page that says so.
/// </summary>
public sealed class NoScriptForm : IDisposable
{
    private readonly Dictionary<string, List<SecretBytes>> _fields = new(StringComparer.Ordinal);
    private readonly List<SpooledFile> _files = [];

    public NoScriptFormProblem Problem { get; private set; }

    /// <summary>The files in the order they were sent; empty when there was a problem.</summary>
    public IReadOnlyList<SpooledFile> Files => Problem == NoScriptFormProblem.None ? _files : [];

    /// <summary>The first value of a text field, trimmed, line breaks as "\n"; null when absent.</summary>
    public SecretBytes? Field(string name) => _fields.TryGetValue(name, out var values) ? values[0] : null;

    /// <summary>Every value of a repeated field (checkboxes).</summary>
    public IReadOnlyList<SecretBytes> Values(string name) => _fields.TryGetValue(name, out var values) ? values : [];

    /// <summary>A field as text, for choices and for giving back what she typed when the form is shown again.</summary>
    public string Text(string name) => Field(name)?.ToText() ?? "";

    public bool IsEmpty(string name) => Field(name) is not { Length: > 0 };

    public static async Task<NoScriptForm> ReadAsync(HttpRequest request, NoScriptFormLimits limits, CancellationToken cancellationToken)
    {
        var form = new NoScriptForm();
        try
        {
            await form.ReadSectionsAsync(request, limits, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            form.Fail(NoScriptFormProblem.TooLarge);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
        {
            form.Fail(NoScriptFormProblem.Malformed);
        }
        return form;
    }

    private async Task ReadSectionsAsync(HttpRequest request, NoScriptFormLimits limits, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            Fail(NoScriptFormProblem.Malformed);
            return;
        }
        if (request.ContentLength > limits.MaxRequestBytes)
        {
            // Not read at all: the server answers at once and the connection closes.
            Fail(NoScriptFormProblem.TooLarge);
            return;
        }
        var reader = new MultipartReader(boundary, request.Body)
        {
            HeadersCountLimit = 8,
            HeadersLengthLimit = 8 * 1024,
            BodyLengthLimit = limits.MaxRequestBytes,
        };
        long textBytes = 0;
        long fileBytes = 0;
        var sections = 0;
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
        {
            if (Problem != NoScriptFormProblem.None || ++sections > limits.MaxSections
                || !ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                if (sections > limits.MaxSections)
                {
                    Fail(NoScriptFormProblem.Malformed);
                }
                await DrainAsync(section.Body, cancellationToken);
                continue;
            }
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (disposition.IsFileDisposition())
            {
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                if (name != limits.FileField)
                {
                    await DrainAsync(section.Body, cancellationToken);
                    continue;
                }
                var spool = new EncryptedSpool();
                var complete = await spool.WriteAsync(section.Body, limits.MaxFileBytes - fileBytes, cancellationToken);
                if (fileName.Length == 0 && spool.Length == 0)
                {
                    spool.Dispose(); // the file input was left empty
                    continue;
                }
                fileBytes += spool.Length;
                var file = new SpooledFile(fileName, section.ContentType ?? "", spool);
                _files.Add(file);
                if (!complete)
                {
                    Fail(NoScriptFormProblem.TooLarge);
                    await DrainAsync(section.Body, cancellationToken);
                }
                else if (_files.Count > limits.MaxFiles)
                {
                    Fail(NoScriptFormProblem.TooManyFiles);
                }
                continue;
            }
            var value = await SecretBytes.ReadFieldAsync(section.Body, NoScriptFormLimits.MaxFieldBytes, cancellationToken);
            if (value is null || (textBytes += value.Length) > NoScriptFormLimits.MaxTextBytes)
            {
                value?.Dispose();
                Fail(NoScriptFormProblem.TooLarge);
                await DrainAsync(section.Body, cancellationToken);
                continue;
            }
            if (!_fields.TryGetValue(name, out var values))
            {
                _fields[name] = values = [];
            }
            values.Add(value);
        }
    }

    private void Fail(NoScriptFormProblem problem)
    {
        if (Problem == NoScriptFormProblem.None)
        {
            Problem = problem;
        }
        // Files are never kept or shown back once something is wrong.
        foreach (var file in _files)
        {
            file.Dispose();
        }
        _files.Clear();
    }

    private static async Task DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (await body.ReadAsync(buffer, cancellationToken) > 0)
            {
                CryptographicOperations.ZeroMemory(buffer);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        foreach (var value in _fields.Values.SelectMany(v => v))
        {
            value.Dispose();
        }
        foreach (var file in _files)
        {
            file.Dispose();
        }
        _fields.Clear();
        _files.Clear();
    }
}

/// <summary>An attachment as it arrived: its name and type as the browser sent them, its bytes encrypted in memory.</summary>
public sealed record SpooledFile(string Name, string Type, EncryptedSpool Spool) : IDisposable
{
    public long Length => Spool.Length;

    public void Dispose() => Spool.Dispose();
}

/// <summary>
/// Plaintext the server holds for a moment (a text field, the body JSON), in one array it owns and zeroes on dispose.
/// </summary>
public sealed class SecretBytes : IDisposable
{
    private byte[] _buffer;

    private SecretBytes(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public Stream OpenRead() => new MemoryStream(_buffer, 0, Length, writable: false);

    public string ToText() => Encoding.UTF8.GetString(Span);

    /// <summary>
    /// Writes a JSON document (the body or follow-up message) into a buffer that is zeroed whenever it grows, so no
    /// stale copy of her words is left to the garbage collector. Non-ASCII text stays UTF-8, as JSON.stringify has it.
    /// </summary>
    public static SecretBytes Json(Action<Utf8JsonWriter> write)
    {
        var output = new ZeroingBufferWriter();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(json);
        }
        return new SecretBytes(output.Buffer, output.Written);
    }

    private sealed class ZeroingBufferWriter : IBufferWriter<byte>
    {
        public byte[] Buffer { get; private set; } = new byte[4096];

        public int Written { get; private set; }

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return Buffer.AsMemory(Written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return Buffer.AsSpan(Written);
        }

        private void Ensure(int sizeHint)
        {
            var needed = Written + Math.Max(sizeHint, 1);
            if (needed <= Buffer.Length)
            {
                return;
            }
            var larger = new byte[Math.Max(needed, Buffer.Length * 2)];
            Buffer.AsSpan(0, Written).CopyTo(larger);
            CryptographicOperations.ZeroMemory(Buffer);
            Buffer = larger;
        }
    }

    /// <summary>Reads one text field: UTF-8 (else null), "\r\n" as "\n" (as a textarea's value has it), trimmed.</summary>
    internal static async Task<SecretBytes?> ReadFieldAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(limit + 1, 4096)];
        var length = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
            if (length > limit)
            {
                CryptographicOperations.ZeroMemory(buffer);
                return null;
            }
            if (length == buffer.Length)
            {
                var larger = new byte[Math.Min(limit + 1, buffer.Length * 2)];
                buffer.CopyTo(larger, 0);
                CryptographicOperations.ZeroMemory(buffer);
                buffer = larger;
            }
        }
        if (!Utf8.IsValid(buffer.AsSpan(0, length)))
        {
            CryptographicOperations.ZeroMemory(buffer);
            return null;
        }
        // In place: "\r\n" becomes "\n", then the ends are trimmed of white space as JavaScript's trim() does.
        var written = 0;
        for (var i = 0; i < length; i++)
        {
            if (buffer[i] == (byte)'\r' && i + 1 < length && buffer[i + 1] == (byte)'\n')
            {
                continue;
            }
            buffer[written++] = buffer[i];
        }
        var span = buffer.AsSpan(0, written);
        var start = 0;
        while (start < span.Length && Rune.DecodeFromUtf8(span[start..], out var rune, out var size) == OperationStatus.Done && (Rune.IsWhiteSpace(rune) || rune.Value == 0xFEFF))
        {
            start += size;
        }
        var end = span.Length;
        while (end > start && Rune.DecodeLastFromUtf8(span[start..end], out var rune, out var size) == OperationStatus.Done && (Rune.IsWhiteSpace(rune) || rune.Value == 0xFEFF))
        {
            end -= size;
        }
        if (start > 0)
        {
            span[start..end].CopyTo(span);
        }
        buffer.AsSpan(end - start).Clear();
        return new SecretBytes(buffer, end - start);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_buffer);
        _buffer = [];
    }
}

/// <summary>
/// An attachment's bytes held in memory, encrypted as they arrive: AES-256-GCM in 64 KiB chunks under a random key
/// that lives only in this object (nonce = chunk index). The streams' final form needs every stream's length before
/// the first chunk can be sealed (the envelope header binds them all, docs/crypto.md §4.2, §5.4), and a browser does
/// not announce a file's length before sending it; the spool lets the server wait for the end of the body without
/// holding her files in clear. Nothing of it touches disk; disposing zeroes the key.
/// </summary>
public sealed class EncryptedSpool : IDisposable
{
    private const int ChunkLength = 64 * 1024;
    private const int TagLength = 16;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly AesGcm _aes;
    private readonly List<byte[]> _chunks = [];
    private readonly byte[] _pending = new byte[ChunkLength];
    private int _pendingLength;
    private bool _sealed;

    public EncryptedSpool() => _aes = new AesGcm(_key, TagLength);

    public long Length { get; private set; }

    /// <summary>Reads <paramref name="source"/> to its end; false (and stops reading) once more than <paramref name="limit"/> bytes came.</summary>
    internal async Task<bool> WriteAsync(Stream source, long limit, CancellationToken cancellationToken)
    {
        int read;
        while ((read = await source.ReadAsync(_pending.AsMemory(_pendingLength), cancellationToken)) > 0)
        {
            _pendingLength += read;
            Length += read;
            if (Length > limit)
            {
                CryptographicOperations.ZeroMemory(_pending);
                _pendingLength = 0;
                return false;
            }
            if (_pendingLength == ChunkLength)
            {
                SealPending();
            }
        }
        if (_pendingLength > 0)
        {
            SealPending();
        }
        _sealed = true;
        return true;
    }

    /// <summary>The plaintext again, one chunk in memory at a time.</summary>
    public Stream OpenRead() => _sealed ? new Reader(this) : throw new InvalidOperationException("The spool is not complete.");

    private void SealPending()
    {
        var chunk = new byte[_pendingLength + TagLength];
        _aes.Encrypt(Nonce(_chunks.Count), _pending.AsSpan(0, _pendingLength), chunk.AsSpan(0, _pendingLength), chunk.AsSpan(_pendingLength));
        _chunks.Add(chunk);
        CryptographicOperations.ZeroMemory(_pending);
        _pendingLength = 0;
    }

    private static byte[] Nonce(int index)
    {
        var nonce = new byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(nonce.AsSpan(8), index);
        return nonce;
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        CryptographicOperations.ZeroMemory(_pending);
        _aes.Dispose();
        _chunks.Clear();
    }

    private sealed class Reader(EncryptedSpool spool) : Stream
    {
        private readonly byte[] _plain = new byte[ChunkLength];
        private int _index;
        private int _offset;
        private int _length;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_offset == _length)
            {
                if (_index == spool._chunks.Count)
                {
                    return 0;
                }
                var chunk = spool._chunks[_index];
                _length = chunk.Length - TagLength;
                spool._aes.Decrypt(Nonce(_index), chunk.AsSpan(0, _length), chunk.AsSpan(_length), _plain.AsSpan(0, _length));
                _index++;
                _offset = 0;
            }
            var take = Math.Min(buffer.Length, _length - _offset);
            _plain.AsSpan(_offset, take).CopyTo(buffer);
            _offset += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        protected override void Dispose(bool disposing)
        {
            CryptographicOperations.ZeroMemory(_plain);
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
