using System.Net.Sockets;
using Intake.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Intake.Web.Hosting;

/// <summary>A service Intake needs is missing or misconfigured; the message names the setting.</summary>
public sealed class StartupCheckException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Checks PostgreSQL (reachable, credentials, schema version) and RabbitMQ (reachable,
/// credentials, virtual host) before the host starts, so a wrong setting fails fast with one
/// line instead of a retry loop in the background.
/// </summary>
internal sealed class StartupChecks(
    NpgsqlDataSource dataSource,
    [FromKeyedServices(Ledger.LedgerExtensions.PurgerDataSource)] NpgsqlDataSource purgerDataSource,
    IOptions<DatabaseOptions> database,
    IOptions<RabbitMqOptions> rabbitMq)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var version = await CheckPostgresAsync(dataSource, database.Value.App, "Database:App", cancellationToken);
        if (version < HostingExtensions.CurrentSchemaVersion)
        {
            var target = new NpgsqlConnectionStringBuilder(database.Value.App);
            throw new StartupCheckException(
                $"The database at {target.Host}:{target.Port} database '{target.Database}' is at schema version {version}; this build needs {HostingExtensions.CurrentSchemaVersion} (setting Database:App). Run `intake migrate` first.");
        }
        await CheckPostgresAsync(purgerDataSource, database.Value.Purger, "Database:Purger", cancellationToken);
        await CheckRabbitMqAsync(cancellationToken);
    }

    private static async Task<int> CheckPostgresAsync(NpgsqlDataSource source, string connectionString, string setting, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var where = $"{target.Host}:{target.Port} database '{target.Database}' as '{target.Username}'";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await source.OpenConnectionAsync(timeout.Token);
            return await MigrationRunner.CurrentVersionAsync(connection, timeout.Token);
        }
        catch (PostgresException ex)
        {
            throw new StartupCheckException($"PostgreSQL at {where} refused the connection (setting {setting}): {ex.MessageText}", ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or OperationCanceledException or TimeoutException)
        {
            throw new StartupCheckException($"Cannot reach PostgreSQL at {where} (setting {setting}): {Reason(ex)}", ex);
        }
    }

    private async Task CheckRabbitMqAsync(CancellationToken cancellationToken)
    {
        var options = rabbitMq.Value;
        var factory = new ConnectionFactory
        {
            Port = options.Port,
            VirtualHost = options.VirtualHost,
            UserName = options.Username,
            Password = options.Password,
            RequestedConnectionTimeout = Timeout,
            AutomaticRecoveryEnabled = false,
            ClientProvidedName = "intake-startup-check",
        };
        // One node of a cluster that answers is enough: Intake moves between them. Each node is tried
        // on its own, in the order listed, through the whole handshake. The client's own list picks
        // one node by TCP connect alone, so a node that accepts and then drops the connection (down,
        // starting, or behind a balancer with nothing behind it) would end start-up while another answers.
        var failures = new List<(string Node, Exception Error)>();
        foreach (var node in options.Nodes)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync([new AmqpTcpEndpoint(node, options.Port)], cancellationToken);
                // A refused virtual host can surface only once the connection is used.
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                return;
            }
            catch (BrokerUnreachableException ex) when (ex.InnerException is AuthenticationFailureException)
            {
                // The nodes of a cluster share their users: another node would refuse them too.
                throw new StartupCheckException($"RabbitMQ at {options} refused the credentials (settings RabbitMq:Username, RabbitMq:Password).", ex);
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or SocketException or IOException)
            {
                failures.Add((node, ex));
            }
        }
        var reasons = failures.Count == 1
            ? Reason(failures[0].Error)
            : string.Join("; ", failures.Select(f => $"{f.Node}: {Reason(f.Error)}"));
        throw new StartupCheckException(
            $"Cannot reach RabbitMQ at {options} (settings RabbitMq:Host, RabbitMq:Port, RabbitMq:VirtualHost): {reasons}",
            failures[^1].Error);
    }

    // The innermost message is the useful one ("Connection refused", "access to vhost refused").
    private static string Reason(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }
        return inner is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} seconds" : inner.Message;
    }
}
