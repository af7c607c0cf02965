using Intake.Core.Contracts;
using Intake.Storage.Routing;
using MassTransit;

namespace Intake.Web.Routing;

/// <summary>A routing message that can never succeed (no case id, a malformed channel or hint): no retries, straight to the error queue.</summary>
public sealed class PoisonRoutingMessageException(string message) : Exception(message);

/// <summary>
/// Routes a submitted testimony. Idempotent: a redelivered or duplicate message finds the case
/// already assigned and only announces that assignment again (notices are written once per
/// assignment). The case's stored hints decide; the message's are informative.
/// </summary>
public sealed class RouteTestimonyConsumer(CaseRouter router, ILogger<RouteTestimonyConsumer> logger) : IConsumer<TestimonySubmitted>
{
    public async Task Consume(ConsumeContext<TestimonySubmitted> context)
    {
        var message = context.Message;
        if (message.CaseId == Guid.Empty || !Core.Crypto.EnvelopeHeader.IsValidChannelId(message.Channel ?? ""))
        {
            throw new PoisonRoutingMessageException("TestimonySubmitted without a case id or with a malformed channel.");
        }
        if (message.Hints is { Language: { } language } && !RoutingHints.Languages.Contains(language))
        {
            throw new PoisonRoutingMessageException("TestimonySubmitted with an unknown language.");
        }
        var outcome = await router.RouteAsync(message.CaseId, context.CancellationToken);
        await RoutingEvents.PublishAsync(context, outcome, logger);
    }
}

/// <summary>Publishes what routing did; shared by the consumer and the reconciler.</summary>
internal static class RoutingEvents
{
    public static async Task PublishAsync(IPublishEndpoint publish, RoutingOutcome outcome, ILogger logger, Guid? reassignedFrom = null, string? reason = null)
    {
        switch (outcome.Result)
        {
            case RoutingResult.Assigned:
            case RoutingResult.AlreadyAssigned:
                if (reassignedFrom is { } from)
                {
                    await publish.Publish(new CaseReassigned(outcome.CaseId, from, outcome.AdvocateId, outcome.AssignmentId, reason ?? CaseRouter.NotOpened));
                }
                await publish.Publish(new CaseAssigned(outcome.CaseId, outcome.AdvocateId!.Value, outcome.AssignmentId!.Value, outcome.Rule ?? "already_assigned"));
                if (outcome.Result == RoutingResult.Assigned)
                {
                    logger.LogDebug("Case assigned by rule {Rule}.", outcome.Rule);
                }
                break;
            case RoutingResult.Waiting:
                if (reassignedFrom is { } fromAdvocate)
                {
                    await publish.Publish(new CaseReassigned(outcome.CaseId, fromAdvocate, null, null, reason ?? CaseRouter.NotOpened));
                }
                if (outcome.NewlyWaiting)
                {
                    await publish.Publish(new CaseAwaitingAdvocate(outcome.CaseId, outcome.WaitingReason ?? "unknown"));
                    logger.LogWarning("A case waits for an advocate: nobody is eligible ({Reason}). Admins were notified.", outcome.WaitingReason);
                }
                break;
        }
    }
}

/// <summary>
/// Tells the assigned advocate: a notice in her workspace and, if SMTP is configured and she
/// gave an address, an e-mail with fixed text (no case id, no channel, no content).
/// </summary>
public sealed class NotifyAssigneeConsumer(StaffNotifications notices, RoutingDirectory directory, INoticeMailer mailer, ILogger<NotifyAssigneeConsumer> logger)
    : IConsumer<CaseAssigned>
{
    public async Task Consume(ConsumeContext<CaseAssigned> context)
    {
        var message = context.Message;
        if (message.CaseId == Guid.Empty || message.AdvocateId == Guid.Empty || message.AssignmentId == Guid.Empty)
        {
            throw new PoisonRoutingMessageException("CaseAssigned without ids.");
        }
        var (id, emailPending) = await notices.NotifyAdvocateAsync(message.AdvocateId, "case_assigned", message.CaseId, message.AssignmentId, context.CancellationToken);
        if (!emailPending || !mailer.Enabled)
        {
            return;
        }
        if (await directory.NotifyAddressAsync(message.AdvocateId, context.CancellationToken) is not { } address)
        {
            return;
        }
        await mailer.SendNewCaseNoticeAsync(address, context.CancellationToken);
        await notices.MarkEmailedAsync(id, context.CancellationToken);
        logger.LogInformation("New-case notice e-mailed to an advocate.");
    }
}

/// <summary>Tells the case's assignee that the survivor added a follow-up (workspace notice only).</summary>
public sealed class NotifyFollowUpConsumer(StaffNotifications notices, AssignmentStore assignments) : IConsumer<FollowUpReceived>
{
    public async Task Consume(ConsumeContext<FollowUpReceived> context)
    {
        if (context.Message.CaseId == Guid.Empty)
        {
            throw new PoisonRoutingMessageException("FollowUpReceived without a case id.");
        }
        if (await assignments.ActiveAsync(context.Message.CaseId, context.CancellationToken) is { } active)
        {
            await notices.NotifyAdvocateAsync(active.AdvocateId, "follow_up", context.Message.CaseId,
                context.MessageId ?? Guid.NewGuid(), context.CancellationToken);
        }
    }
}

/// <summary>
/// Records routing messages that failed every retry (MassTransit publishes a Fault when it moves
/// one to the error queue), so admins see a count and a notice, not only RabbitMQ's queue.
/// </summary>
public sealed class RoutingFaultConsumer(RoutingDirectory directory, TimeProvider time, ILogger<RoutingFaultConsumer> logger)
    : IConsumer<Fault<TestimonySubmitted>>, IConsumer<Fault<CaseAssigned>>, IConsumer<Fault<FollowUpReceived>>
{
    public Task Consume(ConsumeContext<Fault<TestimonySubmitted>> context) => RecordAsync(context, context.Message.Message?.CaseId);

    public Task Consume(ConsumeContext<Fault<CaseAssigned>> context) => RecordAsync(context, context.Message.Message?.CaseId);

    public Task Consume(ConsumeContext<Fault<FollowUpReceived>> context) => RecordAsync(context, context.Message.Message?.CaseId);

    private async Task RecordAsync<T>(ConsumeContext<Fault<T>> context, Guid? caseId) where T : class
    {
        var fault = context.Message;
        var exception = fault.Exceptions?.FirstOrDefault()?.ExceptionType ?? "unknown";
        var messageId = fault.FaultedMessageId ?? fault.FaultId;
        if (await directory.RecordFaultAsync(messageId, typeof(T).Name, caseId is { } id && id != Guid.Empty ? id : null, exception,
                time.GetUtcNow(), context.CancellationToken))
        {
            logger.LogError("A {MessageType} message failed every retry and is in the error queue ({Exception}); admins were notified.", typeof(T).Name, exception);
        }
    }
}
