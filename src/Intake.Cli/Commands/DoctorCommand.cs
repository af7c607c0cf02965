using System.CommandLine;
using Intake.Storage;
using Microsoft.Extensions.Configuration;
using Npgsql;
using RabbitMQ.Client;

namespace Intake.Cli.Commands;

/// <summary><c>intake doctor</c>: checks each setting against the service it points at and says what is wrong.</summary>
public static class DoctorCommand
{
    public static Command Create(IConfiguration configuration, CliConsole console)
    {
        var command = new Command("doctor", "Check the database and RabbitMQ settings and the schema version.");
        command.SetAction(async (_, cancellationToken) =>
        {
            var checks = new List<(string Name, Func<Task<string>> Run)>
            {
                ("Database:App", () => CheckDatabaseAsync(configuration["Database:App"], cancellationToken)),
                ("RabbitMq", () => CheckRabbitMqAsync(configuration, cancellationToken)),
            };
            var failures = 0;
            foreach (var (name, run) in checks)
            {
                try
                {
                    await console.Out.WriteLineAsync($"ok    {name}: {await run()}");
                }
                catch (DoctorException ex)
                {
                    failures++;
                    await console.Out.WriteLineAsync($"FAIL  {name}: {ex.Message}");
                }
            }
            return failures == 0 ? 0 : 1;
        });
        return command;
    }

    private static async Task<string> CheckDatabaseAsync(string? connectionString, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new DoctorException("not set (environment variable Database__App)");
        }
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            var version = await MigrationRunner.CurrentVersionAsync(connection, cancellationToken);
            if (version < Migration.LatestVersion)
            {
                throw new DoctorException($"schema version {version}, this build needs {Migration.LatestVersion}: run `intake migrate`");
            }
            return $"PostgreSQL {connection.PostgreSqlVersion} at {connection.Host}:{connection.Port}, schema version {version}";
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException)
        {
            throw new DoctorException(ex.Message);
        }
    }

    private static async Task<string> CheckRabbitMqAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var section = configuration.GetSection("RabbitMq");
        // RabbitMq:Host may list a cluster's nodes, separated by commas.
        var nodes = (section["Host"] ?? "127.0.0.1").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (nodes.Length == 0)
        {
            throw new DoctorException("RabbitMq:Host names no node (environment variable RabbitMq__Host)");
        }
        var factory = new ConnectionFactory
        {
            Port = int.TryParse(section["Port"], out var port) ? port : 5672,
            VirtualHost = section["VirtualHost"] ?? "/",
            UserName = section["Username"] ?? "",
            Password = section["Password"] ?? "",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            AutomaticRecoveryEnabled = false,
            ClientProvidedName = "intake-doctor",
        };
        // Each node on its own, in the order listed, through the whole handshake: the client's own
        // list settles on the first node that takes the TCP connection, even one that then drops it.
        var failures = new List<string>();
        foreach (var node in nodes)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync([new AmqpTcpEndpoint(node, factory.Port)], cancellationToken);
                var version = connection.ServerProperties?.TryGetValue("version", out var v) == true && v is byte[] bytes
                    ? System.Text.Encoding.UTF8.GetString(bytes)
                    : "?";
                return $"RabbitMQ {version} at {connection.Endpoint.HostName}:{connection.Endpoint.Port}, virtual host '{factory.VirtualHost}'";
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or System.Net.Sockets.SocketException)
            {
                var inner = ex;
                while (inner.InnerException is not null)
                {
                    inner = inner.InnerException;
                }
                failures.Add(nodes.Length == 1 ? inner.Message : $"{node}: {inner.Message}");
            }
        }
        throw new DoctorException($"{string.Join(",", nodes)}:{factory.Port} virtual host '{factory.VirtualHost}': {string.Join("; ", failures)}");
    }

    private sealed class DoctorException(string message) : Exception(message);
}
