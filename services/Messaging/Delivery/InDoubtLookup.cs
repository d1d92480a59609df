using Microsoft.Extensions.Options;
using Reminders.Platform.Data;

namespace Reminders.Messaging.Delivery;

/// <summary>What the provider's list says a send in doubt became.</summary>
public abstract record DoubtResolution
{
    public sealed record Found(SendOutcome.Accepted Message) : DoubtResolution;
    public sealed record NotFound : DoubtResolution;
    /// <summary>More than one provider message could be it: not guessed, a person resolves it.</summary>
    public sealed record Ambiguous(IReadOnlyList<string> ProviderSids) : DoubtResolution;
}

/// <summary>
/// Resolves a send in doubt (Twilio has no idempotency key) by listing the provider's messages to the number: only those with
/// the SMS's text created inside its own request's time window count, and none already attributed to another SMS.
/// </summary>
public sealed class InDoubtLookup(TwilioSmsSender sender, IOptions<TwilioOptions> options, DeliveryMetrics metrics)
{
    /// <param name="work">The caller's transaction, where attributions are read (SQLite has one writer: a second one would wait on it).</param>
    /// <param name="requestLeft">When the request in doubt left.</param>
    /// <param name="answeredBy">When it had its answer, or could have had it at the latest.</param>
    public async Task<DoubtResolution> ResolveAsync(UnitOfWork work, Guid smsId, string to, string body, DateTimeOffset requestLeft, DateTimeOffset answeredBy,
        CancellationToken ct)
    {
        var resolution = await LookUpAsync(work, smsId, to, body, requestLeft, answeredBy, ct);
        metrics.LookedUp(resolution);
        return resolution;
    }

    async Task<DoubtResolution> LookUpAsync(UnitOfWork work, Guid smsId, string to, string body, DateTimeOffset requestLeft, DateTimeOffset answeredBy,
        CancellationToken ct)
    {
        // Twilio's times are whole seconds, and its clock is not ours.
        var skew = TimeSpan.FromSeconds(options.Value.LookupClockSkewSeconds);
        var candidates = await sender.FindCandidatesAsync(to, body, requestLeft - skew, answeredBy + skew);
        if (candidates.Count == 0) return new DoubtResolution.NotFound();
        var sids = candidates.Select(c => c.ProviderSid).ToArray();
        var taken = (await work.QueryAsync<string>($"SELECT provider_sid FROM outbound_sms WHERE {work.Dialect.InList("provider_sid", "sids")} AND sms_id <> @smsId",
            new { sids, smsId }, ct)).ToHashSet(StringComparer.Ordinal);
        var free = candidates.Where(c => !taken.Contains(c.ProviderSid)).ToList();
        return free switch
        {
            [] => new DoubtResolution.NotFound(),
            [var only] => new DoubtResolution.Found(only),
            _ => new DoubtResolution.Ambiguous([.. free.Select(c => c.ProviderSid)]),
        };
    }
}
