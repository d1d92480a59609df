namespace Reminders.Web.Services;

/// <summary>The Attendance service's HTTP API. Routes for one feature live in a partial file beside this one (<c>AttendanceClient.&lt;Feature&gt;.cs</c>).</summary>
public sealed partial class AttendanceClient(HttpClient http, PersonTokenSource tokens) : ServiceClient(http, tokens, "attendance")
{
}
