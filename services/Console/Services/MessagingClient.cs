namespace Reminders.Web.Services;

/// <summary>The Messaging service's HTTP API. Routes for one feature live in a partial file beside this one (<c>MessagingClient.&lt;Feature&gt;.cs</c>).</summary>
public sealed partial class MessagingClient(HttpClient http, PersonTokenSource tokens) : ServiceClient(http, tokens, "messaging")
{
}
