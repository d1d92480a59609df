using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static Reminders.Attendance.Tests.Infrastructure.AttendanceHost;

namespace Reminders.Attendance.Tests;

/// <summary>
/// The roll-call CSV as a trainer's browser or curl sends it: a file in a multipart form is read like the raw body, a
/// url-encoded form (curl --data strips its line breaks) is 415 saying how to send it, and a refused sheet is 422
/// ProblemDetails that still lists every bad row.
/// </summary>
public sealed class RollCallUploadTests
{
    async Task<HttpResponseMessage> PostAsync(RollCallSession s, HttpContent content)
    {
        using var client = s.Host.Client(TrainerKey);
        return await client.PostAsync($"/api/attendance/sessions/{s.SessionId}/roll-call", content);
    }

    [Fact]
    public async Task A_roll_call_uploaded_as_a_form_file_is_recorded_like_the_raw_body()
    {
        await using var s = await RollCallSession.StartAsync("sqlite");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes($"officer_id,entrada,salida\n{s.A},09:00,12:00\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var upload = await PostAsync(s, new MultipartFormDataContent { { file, "lista", "lista.csv" } });

        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        Assert.Equal(("present", 180), await s.MinutesAsync(s.A));
    }

    [Fact]
    public async Task A_url_encoded_form_is_415_and_nothing_is_written()
    {
        await using var s = await RollCallSession.StartAsync("sqlite");

        var upload = await PostAsync(s, new StringContent($"officer_id,check_in{s.A},09:00", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, upload.StatusCode);
        Assert.Equal("application/problem+json", upload.Content.Headers.ContentType?.MediaType);
        Assert.Contains("text/csv", (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(0, await s.StoredEventsAsync());
    }

    [Fact]
    public async Task A_refused_roll_call_is_422_problem_details_naming_the_first_bad_row_and_listing_all()
    {
        await using var s = await RollCallSession.StartAsync("sqlite");

        var upload = await s.UploadAsync($"officer_id,check_in\n{s.A},9am\n{s.B},25:00\n");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, upload.StatusCode);
        Assert.Equal("application/problem+json", upload.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("2 problems", problem.GetProperty("detail").GetString());
        Assert.Contains("line 2, column 'check_in'", problem.GetProperty("detail").GetString());
        Assert.Equal([(2, "check_in"), (3, "check_in")],
            problem.GetProperty("rejected").EnumerateArray().Select(r => (r.GetProperty("line").GetInt32(), r.GetProperty("column").GetString())));
    }
}
