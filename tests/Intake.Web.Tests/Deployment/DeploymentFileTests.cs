using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Intake.Web.Submissions;
using Intake.Web.Survivor;

namespace Intake.Web.Tests.Deployment;

/// <summary>
/// The deployment files in deploy/: the compose file passes Debian's <c>docker-compose config</c> and describes
/// the scaled-out install without a secret in it; the systemd units are valid and hardened; the settings example
/// names every setting; the proxy and Tor files keep to Intake's limits and privacy rules. No container engine runs:
/// only <c>config</c>.
/// </summary>
public sealed partial class DeploymentFileTests : IDisposable
{
    private const string DockerCompose = "/usr/bin/docker-compose";
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";

    private readonly string _scratch = Directory.CreateTempSubdirectory("intake-deploy-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Compose_file_passes_docker_compose_config_with_the_scaled_out_services()
    {
        var (compose, secretValues) = CopyDeployWithDummySecrets();

        var result = await RunAsync(DockerCompose, "-f", compose, "config");

        Assert.True(result.ExitCode == 0, $"docker-compose config failed ({result.ExitCode}):\n{result.StdErr}");
        var config = YamlToJson(result.StdOut);
        var services = config.GetProperty("services");
        string[] expected = ["postgres-primary", "postgres-replica", "rabbitmq-1", "rabbitmq-2", "rabbitmq-3", "migrate", "web", "worker", "tor"];
        var names = services.EnumerateObject().Select(s => s.Name).ToHashSet();
        Assert.Empty(expected.Except(names));

        foreach (var (service, role) in new[] { ("web", "Web"), ("worker", "Worker") })
        {
            var s = services.GetProperty(service);
            Assert.Equal(2, s.GetProperty("deploy").GetProperty("replicas").GetInt32());
            Assert.Equal(role, s.GetProperty("environment").GetProperty("Intake__Role").GetString());
        }
        Assert.Equal(["intake", "migrate"], services.GetProperty("migrate").GetProperty("command").EnumerateArray().Select(e => e.GetString()));
        foreach (var node in new[] { "rabbitmq-1", "rabbitmq-2", "rabbitmq-3" })
        {
            Assert.Equal(node, services.GetProperty(node).GetProperty("hostname").GetString());
        }
        Assert.Contains("default_queue_type = quorum", File.ReadAllText(Path.Combine(Path.GetDirectoryName(compose)!, "rabbitmq", "rabbitmq.conf")), StringComparison.Ordinal);
        Assert.Contains("pg_basebackup", File.ReadAllText(Path.Combine(Path.GetDirectoryName(compose)!, "postgres", "replica.sh")), StringComparison.Ordinal);
        Assert.Equal("service:gateway", services.GetProperty("tor").GetProperty("network_mode").GetString());

        // No secret value anywhere in the normalized file; every secret is a file under the git-ignored folder.
        foreach (var value in secretValues)
        {
            Assert.DoesNotContain(value, result.StdOut, StringComparison.Ordinal);
        }
        Assert.Empty(InlineSecrets(config));
        var secretsDir = Path.Combine(Path.GetDirectoryName(compose)!, "secrets") + Path.DirectorySeparatorChar;
        foreach (var secret in config.GetProperty("secrets").EnumerateObject())
        {
            Assert.StartsWith(secretsDir, secret.Value.GetProperty("file").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(["*", "!.gitignore"], File.ReadAllLines(Path.Combine(Root, "deploy/compose/secrets/.gitignore")).Where(l => !l.StartsWith('#')));

        // Only the gateway publishes a port, on the host's loopback; no log driver that could ship addresses elsewhere.
        foreach (var service in services.EnumerateObject())
        {
            if (service.Value.TryGetProperty("ports", out var ports))
            {
                Assert.Equal("gateway", service.Name);
                Assert.All(ports.EnumerateArray(), p => Assert.StartsWith("127.0.0.1:", p.ToString(), StringComparison.Ordinal));
            }
            if (service.Value.TryGetProperty("logging", out var logging))
            {
                Assert.Equal("json-file", logging.GetProperty("driver").GetString());
            }
        }
    }

    [Fact]
    public async Task Docker_compose_config_refuses_a_broken_compose_file()
    {
        var (compose, _) = CopyDeployWithDummySecrets();
        // A service that depends on one that does not exist: the check this test relies on must be able to fail.
        var text = File.ReadAllText(compose);
        Assert.Contains("\nservices:\n", text, StringComparison.Ordinal);
        File.WriteAllText(compose, text.Replace("\nservices:\n", "\nservices:\n  orphan:\n    image: busybox\n    depends_on: [no-such-service]\n", StringComparison.Ordinal));

        var result = await RunAsync(DockerCompose, "-f", compose, "config");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no-such-service", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inline_password_in_a_compose_file_is_reported()
    {
        var config = JsonDocument.Parse("""
            {"services":{"web":{"environment":{"RabbitMq__Password":"hunter2hunter2","RabbitMq__Password_FILE":"/run/secrets/rabbitmq_password"}},
                         "db":{"environment":{"Database__App":"Host=db;Username=intake_app;Password=x"}},
                         "ok":{"environment":{"Ledger__SigningKeyFile":"/run/secrets/ledger_signing_key","RabbitMq__Username":"intake"}}}}
            """).RootElement;

        Assert.Equal(["db: Database__App", "web: RabbitMq__Password"], InlineSecrets(config).Order());
    }

    [Fact]
    public async Task Systemd_units_are_valid_and_hardened()
    {
        foreach (var unit in new[] { "intake-web.service", "intake-worker.service" })
        {
            var path = Path.Combine(Root, "deploy/systemd", unit);
            var keys = UnitKeys(path);
            foreach (var (key, value) in RequiredHardening)
            {
                Assert.True(keys.TryGetValue(key, out var values), $"{unit} lacks {key}=");
                Assert.Contains(value, values);
            }
            Assert.True(keys.ContainsKey("DynamicUser") || keys.ContainsKey("User"), $"{unit} runs as root");
            Assert.DoesNotContain("MemoryDenyWriteExecute", keys.Keys); // .NET's JIT needs it off
            Assert.Contains(keys["LoadCredential"], v => v.StartsWith("ledger-signing-key:", StringComparison.Ordinal));
            Assert.Contains("Ledger__SigningKeyFile=%d/ledger-signing-key", keys["Environment"]);
            Assert.Contains("/etc/intake/intake.env", keys["EnvironmentFile"]);
            Assert.DoesNotContain(keys["Environment"], v => v.Contains("Password", StringComparison.OrdinalIgnoreCase) || v.StartsWith("Database__", StringComparison.Ordinal));
        }
        Assert.Contains("Intake__Role=Web", UnitKeys(Path.Combine(Root, "deploy/systemd/intake-web.service"))["Environment"]);
        Assert.Contains("Intake__Role=Worker", UnitKeys(Path.Combine(Root, "deploy/systemd/intake-worker.service"))["Environment"]);

        if (File.Exists(SystemdAnalyze))
        {
            // verify exits 0 even on unknown keys; a warning shows as output, so there must be none.
            foreach (var unit in new[] { "intake-web.service", "intake-worker.service" })
            {
                var copy = Path.Combine(_scratch, unit);
                File.Copy(Path.Combine(Root, "deploy/systemd", unit), copy);
                var result = await RunAsync(SystemdAnalyze, "verify", copy);
                Assert.True(result.ExitCode == 0 && result.StdErr.Trim().Length == 0 && result.StdOut.Trim().Length == 0,
                    $"systemd-analyze verify {unit}: exit {result.ExitCode}\n{result.StdOut}{result.StdErr}");
            }
        }
    }

    [Fact]
    public void Settings_example_names_every_setting_and_holds_no_secret()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "deploy/systemd/intake.env.example"));
        var text = string.Join('\n', lines);
        foreach (var setting in AllSettings())
        {
            Assert.True(Regex.IsMatch(text, $@"^(# )?{Regex.Escape(setting)}[= ]", RegexOptions.Multiline), $"intake.env.example does not name {setting}");
        }
        foreach (var secret in new[] { "Database__App", "Database__Purger", "RabbitMq__Password" })
        {
            Assert.Contains($"{secret}=", lines);
        }
        Assert.Contains("# Routing__Smtp__Password=", lines);
        Assert.DoesNotContain(lines, l => l.Contains("Password=", StringComparison.Ordinal) && !l.TrimEnd().EndsWith("Password=", StringComparison.Ordinal) && !l.Contains("Password=...", StringComparison.Ordinal));
    }

    [Fact]
    public void Proxy_keeps_to_Intakes_request_limit_and_logs_no_client_address()
    {
        // The largest request Intake takes: the no-JavaScript form with the default attachment limit.
        var limit = new NoScriptFormLimits("files", AttachmentLimits.MaxAttachments, AttachmentLimits.ContentLimit(new SubmissionOptions())).MaxRequestBytes;
        var expected = $"client_max_body_size {limit / (1024 * 1024)}m;";
        Assert.Equal(0, limit % (1024 * 1024));
        foreach (var file in new[] { "deploy/nginx/intake.conf", "deploy/nginx/onion.conf", "deploy/compose/nginx/intake-proxy.inc" })
        {
            var conf = Directives(Path.Combine(Root, file));
            Assert.Contains(expected, conf);
            Assert.Contains("access_log off;", conf);
            Assert.Contains("proxy_request_buffering off;", conf);
            Assert.Contains("proxy_set_header X-Forwarded-For \"\";", conf);
            Assert.DoesNotContain(conf, d => d.Contains("$remote_addr", StringComparison.Ordinal) || d.Contains("$proxy_add_x_forwarded_for", StringComparison.Ordinal));
            Assert.DoesNotContain(conf, d => d.StartsWith("access_log ", StringComparison.Ordinal) && d != "access_log off;");
        }
        var tls = Directives(Path.Combine(Root, "deploy/nginx/intake.conf"));
        Assert.Contains(tls, d => d.StartsWith("add_header Strict-Transport-Security \"max-age=", StringComparison.Ordinal));
        Assert.Contains("ssl_protocols TLSv1.2 TLSv1.3;", tls);
        Assert.DoesNotContain(tls, d => Regex.IsMatch(d, @"^listen (\[::\]:)?443(?! ssl)"));
        // The survivor entrances refuse the staff site.
        Assert.Contains("location /staff { return 404; }", Directives(Path.Combine(Root, "deploy/nginx/onion.conf")));
        Assert.Contains("location /staff { return 404; }", Directives(Path.Combine(Root, "deploy/compose/nginx/gateway.conf")));
    }

    [Fact]
    public void Torrc_publishes_the_survivor_site_and_a_staff_site_with_client_authorization()
    {
        var torrc = Directives(Path.Combine(Root, "deploy/tor/torrc"));
        Assert.Equal(["HiddenServiceDir /var/lib/tor/intake-survivor", "HiddenServiceDir /var/lib/tor/intake-staff"], torrc.Where(d => d.StartsWith("HiddenServiceDir", StringComparison.Ordinal)));
        Assert.Equal(["HiddenServicePort 80 127.0.0.1:8480", "HiddenServicePort 80 127.0.0.1:8481"], torrc.Where(d => d.StartsWith("HiddenServicePort", StringComparison.Ordinal)));
        Assert.Contains("SocksPort 0", torrc);
        Assert.Contains("/var/lib/tor/intake-staff/authorized_clients/", File.ReadAllText(Path.Combine(Root, "deploy/tor/torrc")), StringComparison.Ordinal);
    }

    /// <summary>The "Section__Key" names of every setting Intake.Web binds.</summary>
    private static IEnumerable<string> AllSettings()
    {
        var unitOwned = new HashSet<string> { "Intake__Role", "Ledger__SigningKeyFile" };
        foreach (var type in typeof(SubmissionOptions).Assembly.GetTypes())
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field)
            {
                continue;
            }
            foreach (var name in SettingNames((string)field.GetRawConstantValue()!, type).Where(n => !unitOwned.Contains(n)))
            {
                yield return name;
            }
        }
    }

    private static IEnumerable<string> SettingNames(string prefix, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var name = $"{prefix}__{property.Name}";
            var simple = property.PropertyType.IsPrimitive || property.PropertyType.IsEnum || property.PropertyType == typeof(string)
                || property.PropertyType == typeof(TimeSpan) || Nullable.GetUnderlyingType(property.PropertyType) is not null;
            foreach (var n in simple ? [name] : SettingNames(name, property.PropertyType))
            {
                yield return n;
            }
        }
    }

    /// <summary>Environment entries of a normalized compose file that carry a secret's value rather than a file's path.</summary>
    private static List<string> InlineSecrets(JsonElement config)
    {
        var found = new List<string>();
        foreach (var service in config.GetProperty("services").EnumerateObject())
        {
            if (!service.Value.TryGetProperty("environment", out var environment))
            {
                continue;
            }
            foreach (var variable in environment.EnumerateObject())
            {
                var value = variable.Value.ValueKind == JsonValueKind.String ? variable.Value.GetString()! : variable.Value.ToString();
                var isPath = variable.Name.EndsWith("_FILE", StringComparison.Ordinal) || variable.Name.EndsWith("KeyFile", StringComparison.Ordinal);
                if (isPath ? !value.StartsWith("/run/secrets/", StringComparison.Ordinal)
                    : SecretName().IsMatch(variable.Name) || value.Contains("Password=", StringComparison.OrdinalIgnoreCase))
                {
                    found.Add($"{service.Name}: {variable.Name}");
                }
            }
        }
        return found;
    }

    [GeneratedRegex("(?i)password|secret|cookie|token|(^|_)key$")]
    private static partial Regex SecretName();

    private static readonly (string Key, string Value)[] RequiredHardening =
    [
        ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"), ("CapabilityBoundingSet", ""), ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"),
        ("RestrictNamespaces", "yes"), ("RestrictSUIDSGID", "yes"), ("ProtectKernelTunables", "yes"),
        ("ProtectKernelModules", "yes"), ("ProtectControlGroups", "yes"), ("LockPersonality", "yes"),
        ("SystemCallArchitectures", "native"), ("DynamicUser", "yes"), ("UMask", "0077"),
    ];

    private static Dictionary<string, List<string>> UnitKeys(string path)
    {
        var keys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] is not ('#' or ';' or '[')))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"{path}: not a key=value line: {line}");
            var key = line[..equals];
            if (!keys.TryGetValue(key, out var values))
            {
                keys[key] = values = [];
            }
            values.Add(line[(equals + 1)..]);
        }
        return keys;
    }

    /// <summary>A configuration file's lines without comments, trimmed.</summary>
    private static List<string> Directives(string path) =>
        [.. File.ReadAllLines(path).Select(l => (l.IndexOf('#', StringComparison.Ordinal) is var hash and >= 0 ? l[..hash] : l).Trim()).Where(l => l.Length > 0)];

    /// <summary>Copies deploy/ into the scratch folder and fills every secret the compose file names with a dummy value.</summary>
    private (string Compose, List<string> SecretValues) CopyDeployWithDummySecrets()
    {
        var source = Path.Combine(Root, "deploy");
        var target = Path.Combine(_scratch, "deploy");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("compose/secrets/", StringComparison.Ordinal) && !relative.EndsWith(".gitignore", StringComparison.Ordinal))
            {
                continue; // an operator's real secrets never leave their folder
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }
        var compose = Path.Combine(target, "compose/compose.yaml");
        var values = new List<string>();
        foreach (Match match in Regex.Matches(File.ReadAllText(compose), @"^\s+file:\s*(\./secrets/\S+)\s*$", RegexOptions.Multiline))
        {
            var value = $"dummy-secret-{Guid.NewGuid():N}";
            File.WriteAllText(Path.Combine(target, "compose", match.Groups[1].Value), value);
            values.Add(value);
        }
        Assert.True(values.Count >= 8, "compose.yaml declares fewer secret files than Intake, PostgreSQL and RabbitMQ need");
        return (compose, values);
    }

    private static JsonElement YamlToJson(string yaml)
    {
        // Debian's docker-compose 1.29 prints YAML only; its own dependency python3-yaml reads it back.
        var start = new ProcessStartInfo("python3", ["-c", "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(yaml);
        process.StandardInput.Close();
        var json = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"cannot read docker-compose's output as YAML: {error}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string file, params string[] arguments)
    {
        Assert.True(File.Exists(file), $"{file} is missing: install Debian's package (scripts/lib/services.sh does, via ./scripts/test)");
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The compose file's own defaults, not the caller's environment, decide the result.
        start.Environment.Remove("INTAKE_LEDGER_ORIGIN");
        start.Environment.Remove("COMPOSE_FILE");
        start.Environment.Remove("COMPOSE_PROJECT_NAME");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string Root => FindRoot();

    private static string FindRoot([CallerFilePath] string source = "")
    {
        // The test output may live outside the checkout (--artifacts-path), so start from this source file.
        var directory = new DirectoryInfo(Path.GetDirectoryName(source)!);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Intake.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? IntakeProcess.RepositoryRoot();
    }
}
