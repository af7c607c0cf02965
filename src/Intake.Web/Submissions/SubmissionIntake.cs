using Intake.Core.Contracts;
using Intake.Storage.Cases;
using MassTransit;

namespace Intake.Web.Submissions;

/// <summary>
/// The one path every submission takes once it is sealed, whoever sealed it (her browser through the JSON API, or
/// the server in no-JavaScript mode): commit it through <see cref="SubmissionStore"/>, then announce it for routing.
/// </summary>
public sealed class SubmissionIntake(SubmissionStore submissions, IPublishEndpoint publish, ILogger<SubmissionIntake> logger)
{
    /// <summary>Commits the submission, then publishes <see cref="TestimonySubmitted"/>.</summary>
    /// <exception cref="SubmissionException">Refused; nothing of it is stored.</exception>
    public async Task<AcceptedSubmission> AcceptAsync(SubmissionRequest request, CancellationToken cancellationToken)
    {
        var accepted = await submissions.AcceptAsync(request, cancellationToken);
        await PublishAsync(new TestimonySubmitted(accepted.CaseId, request.Envelope.Header.ChannelId, request.Routing));
        return accepted;
    }

    /// <summary>Tells the case's advocate (through routing's notices) that the survivor added to her case; after the commit.</summary>
    public Task AnnounceFollowUpAsync(Guid caseId) => PublishAsync(new FollowUpReceived(caseId));

    // The testimony is committed before this runs; routing must not make the survivor wait or
    // fail. A publish that does not get through is repaired by the reconciler, which republishes
    // stored cases that were never routed (a lost follow-up notice is not repaired: the advocate
    // still sees the follow-up in the case).
    private async Task PublishAsync<T>(T message) where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await publish.Publish(message, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            logger.LogWarning("A {Message} was stored but not yet announced ({Reason}).", typeof(T).Name, ex.GetType().Name);
        }
    }
}
