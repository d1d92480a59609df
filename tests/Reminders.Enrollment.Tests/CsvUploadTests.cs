using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Reminders.Enrollment.Roster;
using Reminders.Enrollment.Sectors;
using Reminders.Enrollment.Tests.Infrastructure;

namespace Reminders.Enrollment.Tests;

/// <summary>
/// The CSV routes as a new user calls them: a file in a multipart form (a browser, <c>curl -F</c>) is read like the raw
/// body; a url-encoded form (<c>curl --data</c>, which strips line breaks) or a form without a file is 415 saying how to
/// send it; a refused file is 422 ProblemDetails that still carries every rejected row.
/// </summary>
public sealed class CsvUploadTests : IAsyncLifetime
{
    EnrollmentApp app = null!;

    public async Task InitializeAsync() => app = await EnrollmentApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    static MultipartFormDataContent Form(string csv, string fileName = "file.csv", string? fileContentType = "text/csv")
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        if (fileContentType is not null) file.Headers.ContentType = new MediaTypeHeaderValue(fileContentType);
        return new MultipartFormDataContent { { new StringContent("a note the route ignores"), "note" }, { file, "file", fileName } };
    }

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task Sectors_uploaded_as_a_form_file_load_like_the_raw_body()
    {
        var response = await app.Client().PostAsync("/api/enrollment/sectors?mode=apply", Form(Rosters.Sectors));

        var report = await EnrollmentApp.ReportAsync<SectorImportReport>(response, HttpStatusCode.OK);
        Assert.Equal((4, 4, true), (report.Rows, report.Created, report.Written));
        Assert.Equal(["S01", "S02", "S03", "S04"], (await app.SectorsAsync()).Select(s => s.Code));
    }

    [Fact]
    public async Task A_roster_uploaded_as_a_form_file_without_a_content_type_is_imported()
    {
        await app.LoadSectorsAsync();

        var response = await app.Client().PostAsync("/api/enrollment/roster?mode=apply", Form(Rosters.Good, "roster.csv", fileContentType: null));

        var report = await EnrollmentApp.ReportAsync<RosterImportReport>(response, HttpStatusCode.OK);
        Assert.Equal((3, 3, true), (report.Rows, report.Imported, report.Written));
    }

    [Theory]
    [InlineData("/api/enrollment/sectors?mode=apply")]
    [InlineData("/api/enrollment/roster?mode=apply")]
    public async Task A_url_encoded_form_is_415_saying_to_send_the_raw_csv(string path)
    {
        // What curl --data @file.csv sends: the file with its line breaks stripped, as a form.
        var content = new StringContent(Rosters.Good.Replace("\n", ""), Encoding.UTF8, "application/x-www-form-urlencoded");

        var problem = await ProblemAsync(await app.Client().PostAsync(path, content), HttpStatusCode.UnsupportedMediaType);

        Assert.Equal("body", problem.GetProperty("field").GetString());
        Assert.Contains("Content-Type: text/csv", problem.GetProperty("detail").GetString());
        Assert.Contains("--data-binary", problem.GetProperty("detail").GetString());
        Assert.Empty(await app.SectorsAsync());
    }

    [Fact]
    public async Task A_form_without_a_file_is_415()
    {
        var form = new MultipartFormDataContent { { new StringContent(Rosters.Sectors), "sectors" } };

        var problem = await ProblemAsync(await app.Client().PostAsync("/api/enrollment/sectors?mode=apply", form), HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("holds no file", problem.GetProperty("detail").GetString());
        Assert.Empty(await app.SectorsAsync());
    }

    [Fact]
    public async Task A_form_upload_without_a_key_is_401_and_with_the_wrong_role_403_before_anything_is_read()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client(key: null).PostAsync("/api/enrollment/sectors?mode=apply", Form(Rosters.Sectors))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await app.Client(EnrollmentApp.TrainerKey).PostAsync("/api/enrollment/sectors?mode=apply", Form(Rosters.Sectors))).StatusCode);
        Assert.Empty(await app.SectorsAsync());
    }

    [Fact]
    public async Task Refused_sectors_are_422_problem_details_with_every_rejected_row()
    {
        var problem = await ProblemAsync(await app.PostSectorsAsync("code,name\nS01,Uno\nS01,Otra vez\n,Sin codigo\n"), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(422, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.Contains("line 3", problem.GetProperty("detail").GetString());
        Assert.Equal("body", problem.GetProperty("field").GetString());
        var report = problem.Deserialize<SectorImportReport>(JsonSerializerOptions.Web)!;
        Assert.Equal([(3, "code"), (4, "code")], report.Rejected.Select(r => (r.Line, r.Column)));
        Assert.False(report.Written);
    }

    [Fact]
    public async Task A_refused_roster_is_422_problem_details_with_every_rejected_row()
    {
        await app.LoadSectorsAsync();

        var problem = await ProblemAsync(await app.PostRosterAsync(Rosters.Csv("B-001,Ana,officer,S01,55 1234,yes")), HttpStatusCode.UnprocessableEntity);

        Assert.Contains("phone", problem.GetProperty("detail").GetString());
        var report = problem.Deserialize<RosterImportReport>(JsonSerializerOptions.Web)!;
        Assert.Equal((2, "phone"), (Assert.Single(report.Rejected).Line, report.Rejected[0].Column));
        Assert.Equal("apply", report.Mode);
    }
}
