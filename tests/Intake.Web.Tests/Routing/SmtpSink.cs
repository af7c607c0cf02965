using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Intake.Web.Tests.Routing;

/// <summary>
/// A tiny local SMTP server that accepts every message and keeps it: enough of RFC 5321 for
/// System.Net.Mail (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), no TLS, no authentication.
/// </summary>
public sealed partial class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<ReceivedMail> _messages = [];
    private readonly Lock _gate = new();

    public SmtpSink()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<ReceivedMail> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 sink ESMTP");
            string? from = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-sink");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 sink");
                        break;
                    case "MAIL":
                        from = line[10..].Trim();
                        to.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        to.Add(line[8..].Trim());
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }
                        lock (_gate)
                        {
                            _messages.Add(new ReceivedMail(from ?? "", [.. to], data.ToString()));
                        }
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    /// <summary>One message as it arrived, with its subject and body decoded from MIME (base64, quoted-printable, encoded words).</summary>
    public sealed record ReceivedMail(string From, IReadOnlyList<string> To, string Raw)
    {
        public string Headers => Raw[..Math.Max(0, Raw.IndexOf("\r\n\r\n", StringComparison.Ordinal))];

        public string Subject => DecodeWords(HeaderValue("Subject") ?? "");

        public string Body
        {
            get
            {
                var body = Raw[(Raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
                var encoding = HeaderValue("Content-Transfer-Encoding")?.Trim().ToLowerInvariant();
                return encoding switch
                {
                    "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(Regex.Replace(body, @"\s", ""))),
                    "quoted-printable" => DecodeQuotedPrintable(body),
                    _ => body,
                };
            }
        }

        private string? HeaderValue(string name)
        {
            // Unfold continuation lines first.
            var unfolded = Regex.Replace(Headers, @"\r\n[ \t]+", " ");
            var match = Regex.Match(unfolded, $@"^{Regex.Escape(name)}:\s*(.*)$", RegexOptions.Multiline | RegexOptions.IgnoreCase);
            return match.Success ? match.Groups[1].Value.TrimEnd('\r') : null;
        }

        private static string DecodeWords(string value) =>
            EncodedWord().Replace(Regex.Replace(value, @"\?=\s+=\?", "?==?"), m => m.Groups[2].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[3].Value))
                : DecodeQuotedPrintable(m.Groups[3].Value.Replace('_', ' ')));

        private static string DecodeQuotedPrintable(string text)
        {
            var bytes = new List<byte>();
            var soft = text.Replace("=\r\n", "", StringComparison.Ordinal);
            for (var i = 0; i < soft.Length; i++)
            {
                if (soft[i] == '=' && i + 2 < soft.Length && Uri.IsHexDigit(soft[i + 1]) && Uri.IsHexDigit(soft[i + 2]))
                {
                    bytes.Add(Convert.ToByte(soft.Substring(i + 1, 2), 16));
                    i += 2;
                }
                else
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(soft[i].ToString()));
                }
            }
            return Encoding.UTF8.GetString([.. bytes]);
        }
    }

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWord();
}
