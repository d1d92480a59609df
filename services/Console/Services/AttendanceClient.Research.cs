namespace Reminders.Web.Services;

public sealed partial class AttendanceClient
{
    /// <summary>The dose per arm × role from the ledger (live, or a frozen snapshot).</summary>
    public Task<ApiResult<IReadOnlyList<DoseGroup>>> DoseByArmAndRoleAsync(CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<DoseGroup>>("/api/attendance/dosage/summaries/arms.json", ct);

    /// <summary>A researcher's export file, as the service makes it (pseudonymous: no name, phone or badge).</summary>
    public Task<ApiResult<DownloadedFile>> ResearchExportAsync(string path, CancellationToken ct = default) =>
        DownloadAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);
}

public sealed record DoseGroup(
    string? Arm, string? Role, int Officers, double MeanRemindersDelivered, double MeanRemindersAcknowledged,
    double MeanTrainingMinutesAttended, int TrainingPlanned, int TrainingCompleted, double? TrainingCompletionRate,
    IReadOnlyList<int> RemindersDelivered, IReadOnlyList<int> RemindersAcknowledged);
