using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Intake.Web.Tests;

/// <summary>
/// Intake.Web as a real process on Kestrel, with its console output captured: for what only a
/// real process shows (start-up failures, exit codes, the exact log lines it writes).
/// </summary>
public sealed class IntakeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private IntakeProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>When the process was started, to find the files it wrote since.</summary>
    public DateTime StartedAtUtc { get; } = DateTime.UtcNow;
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static IntakeProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var web = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot("src/Intake.Web"),
        };
        start.ArgumentList.Add(web);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var intake = new IntakeProcess(process, port);
        process.OutputDataReceived += (_, e) => intake.Append(e.Data);
        process.ErrorDataReceived += (_, e) => intake.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return intake;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Waits until /healthz answers 200, or fails with everything the process printed.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Intake exited with code {_process.ExitCode}:\n{Output}");
            }
            try
            {
                if ((await http.GetAsync("healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but slow to answer (a loaded machine): ask again until the deadline.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Intake was not healthy within {timeout}:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>Kills Intake at once (SIGKILL), as a crash or a pulled plug would.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Stops Intake as systemd would (SIGTERM) and waits for it to finish writing.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).WaitForExit();
            await WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot(string relative = "")
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Intake.sln")))
        {
            directory = directory.Parent;
        }
        return directory is null
            ? throw new InvalidOperationException("Cannot find Intake.sln above the test output folder.")
            : Path.Combine(directory.FullName, relative);
    }
}
