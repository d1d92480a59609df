namespace Reminders.Web.Services;

/// <summary>The Scheduler service's HTTP API. Routes for one feature live in a partial file beside this one (<c>SchedulerClient.&lt;Feature&gt;.cs</c>).</summary>
public sealed partial class SchedulerClient(HttpClient http, PersonTokenSource tokens) : ServiceClient(http, tokens, "scheduler")
{
}
