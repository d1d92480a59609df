using System.Net.Http.Headers;

namespace Reminders.Web.Services;

/// <summary>Sectors and roster imports: the list, and CSV uploads checked by a dry run before they are applied.</summary>
public sealed partial class EnrollmentClient
{
    public Task<ApiResult<List<SectorView>>> SectorsAsync(CancellationToken ct = default) =>
        GetAsync<List<SectorView>>("/api/enrollment/sectors", ct);

    /// <summary>Sectors from a CSV, all or nothing; a refusal (422) still carries the report with each row rejected.</summary>
    public Task<ApiResult<SectorImportView>> LoadSectorsAsync(byte[] csv, bool apply, CancellationToken ct = default) =>
        SendKeepingReportAsync<SectorImportView>(CsvPost($"/api/enrollment/sectors?mode={(apply ? "apply" : "dry-run")}", csv), System.Net.HttpStatusCode.UnprocessableEntity, ct);

    /// <summary>A roster in the file's own bytes: <see cref="RosterMode"/> says whether anything is written.</summary>
    public Task<ApiResult<RosterReportView>> ImportRosterAsync(byte[] csv, RosterMode mode, CancellationToken ct = default) =>
        SendKeepingReportAsync<RosterReportView>(CsvPost($"/api/enrollment/roster?mode={Mode(mode)}", csv), System.Net.HttpStatusCode.UnprocessableEntity, ct);

    /// <summary>The rejected rows of a roster as a file in the upload's delimiter and encoding (a dry run: nothing is written); null when none.</summary>
    public async Task<ApiResult<DownloadedFile>> RosterRejectsAsync(byte[] csv, CancellationToken ct = default)
    {
        var request = CsvPost("/api/enrollment/roster?mode=dry-run", csv);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        return await DownloadAsync(request, ct);
    }

    static string Mode(RosterMode mode) => mode switch
    {
        RosterMode.DryRun => "dry-run",
        RosterMode.Apply => "apply",
        _ => "apply-valid",
    };

    static HttpRequestMessage CsvPost(string path, byte[] csv)
    {
        var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }
}

public enum RosterMode { DryRun, Apply, ApplyValid }

/// <param name="TimeZone">An IANA zone; null means the protocol's.</param>
public sealed record SectorView(Guid Id, string Code, string Name, IReadOnlyDictionary<string, string> Strata, string? Arm,
    long Officers, long Commanders, string? TimeZone);

/// <summary>One refused row of an import: where (line, column), what was there, and why.</summary>
public sealed record RowProblem(int Line, string Column, string Value, string Reason);

public sealed record SectorImportView(string Mode, int Rows, int Created, int Updated, int Unchanged, IReadOnlyList<RowProblem> Rejected, bool Written);

public sealed record InactiveCandidateView(Guid OfficerId, string Badge, string SectorCode);

public sealed record RosterReportView
{
    public string Mode { get; init; } = "";
    public string Encoding { get; init; } = "";
    public int Rows { get; init; }
    public int Imported { get; init; }
    public int Updated { get; init; }
    public int Unchanged { get; init; }
    public int Transferred { get; init; }
    public int CrossArmTransfers { get; init; }
    public int Reactivated { get; init; }
    public int PhonesCorrected { get; init; }
    public IReadOnlyList<RowProblem> Rejected { get; init; } = [];
    public byte[]? RejectsFile { get; init; }
    public string? RejectsDelimiter { get; init; }
    public string? RejectsEncoding { get; init; }
    public bool Written { get; init; }

    /// <summary>How many rows were refused (a row may have several problems).</summary>
    public int RejectedRows => Rejected.Select(r => r.Line).Distinct().Count();
}
