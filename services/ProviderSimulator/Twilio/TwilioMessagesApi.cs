using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Reminders.ProviderSimulator.Faults;
using Reminders.ProviderSimulator.Log;

namespace Reminders.ProviderSimulator.Twilio;

/// <summary>Twilio's Messages resource (REST API 2010-04-01): create, fetch and list.</summary>
internal static class TwilioMessagesApi
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 1000;
    private static readonly string[] FilterNames = ["To", "From", "DateSent", "DateSent<", "DateSent>"];

    public static IEndpointRouteBuilder MapTwilioMessagesApi(this IEndpointRouteBuilder app)
    {
        // Twilio's own Basic auth is checked by the filter; AllowAnonymous keeps an embedding host's fallback policy out of it.
        var account = app.MapGroup("/2010-04-01/Accounts/{accountSid}")
            .AddEndpointFilter<TwilioAuthFilter>()
            .AllowAnonymous()
            .WithTags("ProviderSimulator")
            .ExcludeFromDescription();

        account.MapPost("/Messages.json", CreateMessage);
        account.MapGet("/Messages/{sid}.json", FetchMessage);
        account.MapGet("/Messages.json", ListMessages);
        return app;
    }

    private static async Task<IResult> CreateMessage(
        HttpContext http, MessageCreation creation, SimulatorFaults faults, SimulatorLog log, TimeProvider time, IOptions<SimulatorOptions> options)
    {
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : FormCollection.Empty;
        log.RecordRequest(new SimulatedRequest(time.GetUtcNow(), form["MessagingServiceSid"].FirstOrDefault() ?? form["From"].FirstOrDefault(), form["To"].FirstOrDefault()));
        var (draft, invalid) = creation.Validate(form);
        if (invalid is not null)
        {
            return invalid.ToResult();
        }

        var fault = faults.Next(FaultFamily.Request);
        switch (fault?.Kind)
        {
            case FaultKind.Error500:
                log.CountRejection("fault:error500");
                return TwilioErrors.InternalServerError().ToResult();
            case FaultKind.Error429:
                log.CountRejection("fault:error429");
                return TwilioErrors.TooManyRequests().ToResult();
            case FaultKind.Slow:
                await Task.Delay(fault.Delay, time, http.RequestAborted);
                break;
        }

        var (message, refused) = creation.TryAccept(draft!);
        if (refused is not null)
        {
            return refused.ToResult();
        }

        switch (fault?.Kind)
        {
            case FaultKind.AcceptThenTimeout:
                try
                {
                    await Task.Delay(fault.Delay, time, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, as intended; the message stays accepted.
                    return TypedResults.Empty;
                }
                break;
            case FaultKind.AcceptThenDrop:
                http.Abort();
                return TypedResults.Empty;
            case FaultKind.AcceptThenBadGateway:
                // Not counted as a rejection: the message was accepted and goes out.
                return TypedResults.Content(GatewayPage(502, "Bad Gateway"), "text/html; charset=utf-8", statusCode: StatusCodes.Status502BadGateway);
            case FaultKind.AcceptThenHtml:
                return TypedResults.Content(GatewayPage(200, "OK"), "text/html; charset=utf-8", statusCode: StatusCodes.Status200OK);
            case FaultKind.AcceptThenTruncatedJson:
                var json = JsonSerializer.Serialize(MessageJson.Of(message!, options.Value.AccountSid), SimulatorJson.Twilio);
                return TypedResults.Content(json[..(json.Length / 2)], "application/json", statusCode: StatusCodes.Status201Created);
            case FaultKind.UnknownStatus:
                var odd = MessageJson.Of(message! with { Status = fault.Status }, options.Value.AccountSid);
                return TypedResults.Json(odd, SimulatorJson.Twilio, statusCode: StatusCodes.Status201Created);
        }
        return TypedResults.Json(MessageJson.Of(message!, options.Value.AccountSid), SimulatorJson.Twilio, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>What a load balancer or gateway in front of an API answers: HTML, not the API's JSON.</summary>
    private static string GatewayPage(int status, string reason) =>
        $"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    private static IResult FetchMessage(HttpContext http, string sid, SimulatorLog log, IOptions<SimulatorOptions> options) =>
        log.Find(sid) is { } message
            ? TypedResults.Json(MessageJson.Of(message, options.Value.AccountSid), SimulatorJson.Twilio)
            : TwilioErrors.NotFound(http.Request.Path).ToResult();

    private static IResult ListMessages(HttpContext http, SimulatorLog log, SimulatorFaults faults, IOptions<SimulatorOptions> options)
    {
        if (faults.Next(FaultFamily.List) is not null)
            return Results.Content("<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>", "text/html", statusCode: 200);

        var query = http.Request.Query;
        var (filter, filterError) = ParseFilter(query);
        if (filterError is not null)
        {
            return filterError.ToResult();
        }

        var pageSize = DefaultPageSize;
        if (query.TryGetValue("PageSize", out var rawSize) &&
            (!int.TryParse(rawSize, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1))
        {
            return TwilioErrors.InvalidParameter("PageSize", rawSize.ToString()).ToResult();
        }
        pageSize = Math.Min(pageSize, MaxPageSize);

        var page = 0;
        if (query.TryGetValue("Page", out var rawPage) &&
            !int.TryParse(rawPage, NumberStyles.None, CultureInfo.InvariantCulture, out page))
        {
            return TwilioErrors.InvalidParameter("Page", rawPage.ToString()).ToResult();
        }

        var token = query["PageToken"].ToString();
        var cursor = token switch
        {
            { Length: > 2 } when token.StartsWith("PA", StringComparison.Ordinal) => new PageCursor(PageCursorKind.After, 0, token[2..]),
            { Length: > 2 } when token.StartsWith("PB", StringComparison.Ordinal) => new PageCursor(PageCursorKind.Before, 0, token[2..]),
            { Length: > 0 } => (PageCursor?)null,
            _ => PageCursor.AtOffset(checked(page * pageSize)),
        };
        if (cursor is null)
        {
            return TwilioErrors.InvalidParameter("PageToken", token).ToResult();
        }

        var result = log.Query(filter!, pageSize, cursor.Value);
        var accountSid = options.Value.AccountSid;
        var path = http.Request.Path.ToString();
        var start = page * pageSize;
        var messages = result.Messages;
        return TypedResults.Json(new MessageListJson
        {
            Messages = messages.Select(m => MessageJson.Of(m, accountSid)).ToArray(),
            Page = page,
            PageSize = pageSize,
            Start = start,
            End = messages.Count == 0 ? start : start + messages.Count - 1,
            Uri = PageUri(path, query, pageSize, page, token.Length > 0 ? token : null),
            FirstPageUri = PageUri(path, query, pageSize, 0, null),
            NextPageUri = result.HasOlder ? PageUri(path, query, pageSize, page + 1, "PA" + messages[^1].Sid) : null,
            PreviousPageUri = page > 0 && messages.Count > 0 ? PageUri(path, query, pageSize, page - 1, "PB" + messages[0].Sid) : null,
        }, SimulatorJson.Twilio);
    }

    /// <summary>
    /// Twilio's DateSent filters, in GMT: <c>DateSent</c> is one day; <c>DateSent&lt;</c> is on or before and
    /// <c>DateSent&gt;</c> on or after, a whole day for YYYY-MM-DD, the instant itself for a date-time.
    /// </summary>
    private static (MessageFilter? Filter, TwilioError? Error) ParseFilter(IQueryCollection query)
    {
        DateTimeOffset? sentFrom = null;
        DateTimeOffset? sentBefore = null;
        foreach (var name in (ReadOnlySpan<string>)["DateSent", "DateSent<", "DateSent>"])
        {
            var raw = query[name].ToString();
            if (raw.Length == 0)
            {
                continue;
            }
            if (!TryParseDate(raw, out var value, out var dateOnly))
            {
                return (null, TwilioErrors.InvalidParameter(name, raw));
            }
            var day = new DateTimeOffset(value.UtcDateTime.Date, TimeSpan.Zero);
            switch (name)
            {
                case "DateSent":
                    sentFrom = Later(sentFrom, day);
                    sentBefore = Earlier(sentBefore, day.AddDays(1));
                    break;
                case "DateSent<":
                    sentBefore = Earlier(sentBefore, dateOnly ? day.AddDays(1) : value.AddTicks(1));
                    break;
                default:
                    sentFrom = Later(sentFrom, dateOnly ? day : value);
                    break;
            }
        }
        var to = query["To"].ToString();
        var from = query["From"].ToString();
        return (new MessageFilter(to.Length > 0 ? to : null, from.Length > 0 ? from : null, sentFrom, sentBefore), null);
    }

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    private static DateTimeOffset Earlier(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ssK", "ddd, dd MMM yyyy HH:mm:ss zzz", "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
    ];

    private static bool TryParseDate(string raw, out DateTimeOffset value, out bool dateOnly)
    {
        dateOnly = DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
        if (dateOnly)
        {
            value = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }
        // RFC 2822 writes GMT as +0000 or -0000; .NET wants a colon in the offset.
        var normalized = raw.EndsWith(" +0000", StringComparison.Ordinal) || raw.EndsWith(" -0000", StringComparison.Ordinal)
            ? raw[..^6] + " +00:00"
            : raw;
        return DateTimeOffset.TryParseExact(normalized, DateTimeFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    /// <summary>A page's URI relative to the API host, keeping the request's filters, like Twilio's.</summary>
    private static string PageUri(string path, IQueryCollection query, int pageSize, int page, string? pageToken)
    {
        var uri = new StringBuilder(path).Append('?');
        foreach (var name in FilterNames)
        {
            if (query[name].ToString() is { Length: > 0 } value)
            {
                uri.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
            }
        }
        uri.Append("PageSize=").Append(pageSize.ToString(CultureInfo.InvariantCulture))
            .Append("&Page=").Append(page.ToString(CultureInfo.InvariantCulture));
        if (pageToken is not null)
        {
            uri.Append("&PageToken=").Append(Uri.EscapeDataString(pageToken));
        }
        return uri.ToString();
    }
}
