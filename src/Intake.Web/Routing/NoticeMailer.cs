using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Intake.Web.Routing;

/// <summary>Sends the content-free e-mail notice. Replaceable in tests.</summary>
public interface INoticeMailer
{
    bool Enabled { get; }

    Task SendNewCaseNoticeAsync(string address, CancellationToken cancellationToken);
}

/// <summary>
/// E-mail through the configured SMTP server. The subject and body are the same fixed text for
/// every notice, in English and Chinese: no case id, no channel, nothing of the testimony, so a
/// mailbox that is read by others tells them only that the advocate has work in Intake.
/// </summary>
public sealed class SmtpNoticeMailer(IOptions<RoutingOptions> options) : INoticeMailer
{
    public const string Subject = "Intake: you have a new case / 您有一个新案件";

    public const string Body =
        "You have a new case in Intake. Sign in to read it.\r\n\r\n" +
        "您在 Intake 中有一个新案件。请登录阅读。\r\n";

    public bool Enabled => options.Value.Smtp.Enabled;

    public async Task SendNewCaseNoticeAsync(string address, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var client = new SmtpClient(smtp.Host!, smtp.Port)
        {
            EnableSsl = smtp.EnableSsl,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = (int)smtp.Timeout.TotalMilliseconds,
        };
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            client.Credentials = new NetworkCredential(smtp.Username, smtp.Password);
        }
        using var message = new MailMessage(smtp.From!, address, Subject, Body)
        {
            BodyEncoding = System.Text.Encoding.UTF8,
            SubjectEncoding = System.Text.Encoding.UTF8,
        };
        await client.SendMailAsync(message, cancellationToken);
    }
}
