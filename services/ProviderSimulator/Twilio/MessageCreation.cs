using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Reminders.ProviderSimulator.Delivery;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;
using Reminders.ProviderSimulator.RateLimiting;
using Reminders.ProviderSimulator.Replies;
using Reminders.ProviderSimulator.Segments;

namespace Reminders.ProviderSimulator.Twilio;

/// <summary>A create request that passed validation, with the outcome its recipient is set up for.</summary>
internal sealed record MessageDraft(
    string To,
    string? From,
    string? MessagingServiceSid,
    string Body,
    string? StatusCallback,
    int? ValidityPeriod,
    DeliveryOutcome Outcome);

/// <summary>Validates a create like Twilio does, then accepts it: rate limit, log, lifecycle.</summary>
internal sealed partial class MessageCreation(
    SimulatorLog log,
    SenderRateLimiter rateLimiter,
    MessageLifecycle lifecycle,
    CsvLogFile csvFile,
    SimulatorFaults faults,
    OptOutBlocks optOuts,
    IOptions<SimulatorOptions> options,
    TimeProvider time)
{
    public const int MaxBodyLength = 1600;

    public (MessageDraft? Draft, TwilioError? Error) Validate(IFormCollection form)
    {
        var error = Check(form, out var draft);
        if (error is not null)
        {
            log.CountRejection(error.Code.ToString(CultureInfo.InvariantCulture));
        }
        return (draft, error);
    }

    /// <summary>Accepts the message unless its sender is over the rate; nothing is logged when it is.</summary>
    public (SimulatedMessage? Message, TwilioError? Error) TryAccept(MessageDraft draft)
    {
        if (!rateLimiter.TryAcquire(draft.From ?? draft.MessagingServiceSid!))
        {
            log.CountRejection("20429");
            return (null, TwilioErrors.TooManyRequests());
        }

        var now = time.GetUtcNow();
        var (encoding, segments) = SmsSegments.Count(draft.Body);
        var message = new SimulatedMessage
        {
            Sid = "SM" + Guid.NewGuid().ToString("N"),
            From = draft.From,
            To = draft.To,
            Body = draft.Body,
            Segments = segments,
            Encoding = encoding,
            // Twilio answers "accepted" while a Messaging Service still has to pick the sender.
            Status = draft.MessagingServiceSid is null ? MessageStatuses.Queued : MessageStatuses.Accepted,
            AcceptedAt = now,
            StatusUpdatedAt = now,
            DateSent = now,
            MessagingServiceSid = draft.MessagingServiceSid,
            StatusCallback = draft.StatusCallback,
            ValidityPeriod = draft.ValidityPeriod,
        };
        log.Add(message);
        csvFile.Append(message);
        lifecycle.Schedule(message, draft.Outcome, faults.Next(FaultFamily.Callback)?.Kind);
        return (message, null);
    }

    private TwilioError? Check(IFormCollection form, out MessageDraft? draft)
    {
        draft = null;
        var to = Value(form, "To");
        var from = Value(form, "From");
        var service = Value(form, "MessagingServiceSid");
        var body = Value(form, "Body");
        var callback = Value(form, "StatusCallback");
        var validity = Value(form, "ValidityPeriod");

        if (to is null)
        {
            return TwilioErrors.ToRequired();
        }
        if (!E164().IsMatch(to))
        {
            return TwilioErrors.InvalidTo(to);
        }
        if (from is null && service is null)
        {
            return TwilioErrors.FromRequired();
        }
        if (service is not null && !MessagingServiceSid().IsMatch(service))
        {
            return TwilioErrors.InvalidMessagingService(service);
        }
        if (from is not null && !E164().IsMatch(from) && !ShortCode().IsMatch(from) && !AlphanumericSender().IsMatch(from))
        {
            return TwilioErrors.InvalidFrom(from);
        }
        if (body is null)
        {
            return TwilioErrors.BodyRequired();
        }
        if (body.EnumerateRunes().Count() > MaxBodyLength)
        {
            return TwilioErrors.BodyTooLong();
        }
        if (callback is not null && !IsCallbackUrl(callback))
        {
            return TwilioErrors.InvalidStatusCallback(callback);
        }
        int? validityPeriod = null;
        if (validity is not null)
        {
            if (!int.TryParse(validity, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 36000)
            {
                return TwilioErrors.InvalidValidityPeriod(validity);
            }
            validityPeriod = seconds;
        }

        var rules = options.Value.Outcomes;
        if (OutcomeRules.Matches(rules.Invalid, to))
        {
            return TwilioErrors.InvalidTo(to);
        }
        if (OutcomeRules.Matches(rules.Landline, to))
        {
            return TwilioErrors.Landline(to);
        }
        // A service's message goes out from the number it picks, so a STOP to that number blocks the service's sends too.
        if (OutcomeRules.Matches(rules.OptedOut, to) || optOuts.IsBlocked(to, from, service, service is null ? null : options.Value.MessagingServiceFrom))
        {
            return TwilioErrors.OptedOut();
        }
        var outcome = OutcomeRules.Matches(rules.Undelivered, to) ? DeliveryOutcome.Undelivered
            : OutcomeRules.Matches(rules.Failed, to) ? DeliveryOutcome.Failed
            : DeliveryOutcome.Delivered;

        draft = new MessageDraft(to, from, service, body, callback, validityPeriod, outcome);
        return null;
    }

    /// <summary>A form value, null when absent or empty (Twilio treats both alike).</summary>
    private static string? Value(IFormCollection form, string name) =>
        form.TryGetValue(name, out var values) && !string.IsNullOrEmpty(values.ToString()) ? values.ToString() : null;

    private static bool IsCallbackUrl(string value) =>
        value.Length <= 4000 &&
        Uri.TryCreate(value, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) &&
        !uri.Host.Contains('_', StringComparison.Ordinal);

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$")]
    private static partial Regex E164();

    [GeneratedRegex("^[0-9]{3,8}$")]
    private static partial Regex ShortCode();

    [GeneratedRegex("^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")]
    private static partial Regex AlphanumericSender();

    [GeneratedRegex("^MG[0-9a-fA-F]{32}$")]
    private static partial Regex MessagingServiceSid();
}
