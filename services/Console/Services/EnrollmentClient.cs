namespace Reminders.Web.Services;

/// <summary>The Enrollment service's HTTP API. Routes for one feature live in a partial file beside this one (<c>EnrollmentClient.&lt;Feature&gt;.cs</c>).</summary>
public sealed partial class EnrollmentClient(HttpClient http, PersonTokenSource tokens) : ServiceClient(http, tokens, "enrollment")
{
}
