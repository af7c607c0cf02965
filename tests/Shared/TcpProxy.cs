using System.Net;
using System.Net.Sockets;

namespace Intake.Testing;

/// <summary>
/// A loopback TCP forwarder placed between Intake and a real service, so a test can cut the
/// service off (and restore it) without stopping the shared PostgreSQL or RabbitMQ.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    /// <param name="listenAddress">Where the proxy listens (127.0.0.1 unless given: another
    /// loopback address such as 127.0.0.2 stands for another machine).</param>
    /// <param name="listenPort">0 for any free port.</param>
    public TcpProxy(string targetHost, int targetPort, IPAddress? listenAddress = null, int listenPort = 0)
    {
        _target = new IPEndPoint(IPAddress.Parse(targetHost), targetPort);
        _listener = new TcpListener(listenAddress ?? IPAddress.Loopback, listenPort);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>
    /// Two proxies in front of one service, on 127.0.0.2 and 127.0.0.3 with the same port, as two
    /// nodes of a cluster share theirs; retried if the first's free port is taken on the second address.
    /// </summary>
    public static async Task<(TcpProxy First, TcpProxy Second)> TwoNodesAsync(string targetHost, int targetPort)
    {
        for (var attempt = 1; ; attempt++)
        {
            var first = new TcpProxy(targetHost, targetPort, IPAddress.Parse("127.0.0.2"));
            try
            {
                return (first, new TcpProxy(targetHost, targetPort, IPAddress.Parse("127.0.0.3"), first.Port));
            }
            catch (SocketException) when (attempt < 5)
            {
                await first.DisposeAsync();
            }
        }
    }

    /// <summary>Connections passing through the proxy now.</summary>
    public int OpenConnections
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>Closes every open connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_gate)
        {
            foreach (var client in _open)
            {
                Reset(client);
            }
            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    // Closes with RST rather than FIN, as a dead peer or a dropped route would look to the client.
    private static void Reset(TcpClient client)
    {
        try
        {
            if (client.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (ObjectDisposedException)
        {
            // The pipe closed it first.
        }
        client.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (_cut)
            {
                Reset(inbound);
                continue;
            }
            _ = PipeAsync(inbound);
        }
    }

    private async Task PipeAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_target, _stop.Token);
            lock (_gate)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }
            using var both = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var a = inbound.GetStream().CopyToAsync(outbound.GetStream(), both.Token);
            var b = outbound.GetStream().CopyToAsync(inbound.GetStream(), both.Token);
            await Task.WhenAny(a, b);
            await both.CancelAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A cut or a closed peer ends the pipe; that is the point of the proxy.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
            lock (_gate)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting;
        _stop.Dispose();
    }
}
