using System.ComponentModel.DataAnnotations;

namespace Intake.Web.Hosting;

/// <summary>Settings of the "RabbitMq" section.</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    /// <summary>
    /// The broker's host name or address; for a cluster, its nodes separated by commas
    /// ("rabbitmq-1,rabbitmq-2,rabbitmq-3"), all on <see cref="Port"/>. Intake connects to one
    /// node and moves to another when that one goes away.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "RabbitMq:Host is empty.")]
    [RegularExpression(@"^[\s,]*[^\s,].*$", ErrorMessage = "RabbitMq:Host names no node (only commas and spaces).")]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The host names of <see cref="Host"/>, one per cluster node.</summary>
    public IReadOnlyList<string> Nodes =>
        Host.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Range(1, 65535, ErrorMessage = "RabbitMq:Port must be between 1 and 65535.")]
    public int Port { get; set; } = 5672;

    [Required(AllowEmptyStrings = false, ErrorMessage = "RabbitMq:VirtualHost is empty (use \"/\" for the default).")]
    public string VirtualHost { get; set; } = "/";

    [Required(AllowEmptyStrings = false, ErrorMessage = "RabbitMq:Username is empty.")]
    public string Username { get; set; } = "";

    [Required(AllowEmptyStrings = false, ErrorMessage = "RabbitMq:Password is empty.")]
    public string Password { get; set; } = "";

    public override string ToString() => $"{Host}:{Port} virtual host '{VirtualHost}'";
}
