using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Reminders.Platform.Auth;
using Reminders.Web.Services;

namespace Reminders.Web.Components.Pages.Roster;

/// <summary>The rejects file of a roster upload, for the browser to save: the service's bytes, in the upload's own delimiter and encoding.</summary>
public static class RosterEndpoints
{
    public const string RosterKind = "roster";
    public const string SectorsKind = "sectors";

    public static WebApplication MapRosterEndpoints(this WebApplication app)
    {
        app.MapGet("/sectors/roster/{uploadId:guid}/rejects", DownloadRejects).RequireAuthorization(new AuthorizeAttribute { Roles = Roles.Manager });
        return app;
    }

    public static string RejectsPath(Guid uploadId) => $"/sectors/roster/{uploadId}/rejects";

    static async Task<IResult> DownloadRejects(Guid uploadId, ClaimsPrincipal user, EnrollmentClient enrollment, CancellationToken ct)
    {
        var upload = UploadedFiles.Shared.Find(uploadId, user.Identity?.Name ?? "", RosterKind);
        // Gone (expired, or someone else's): the upload page says so and how to go on.
        if (upload is null) return Results.LocalRedirect($"/sectors/roster/{uploadId}");
        var name = "rechazos-" + Path.GetFileNameWithoutExtension(upload.FileName) + ".csv";
        // After an apply-valid, the file it answered; before, the one a dry run gives (the same rows, nothing written).
        if (upload.Applied?.RejectsFile is { } applied)
            return Results.File(applied, upload.Applied.RejectsContentType ?? "text/csv", name);
        var rejects = await enrollment.RosterRejectsAsync(upload.Bytes, ct);
        if (rejects.Value is not { Bytes.Length: > 0 } file) return Results.LocalRedirect($"/sectors/roster/{uploadId}");
        return Results.File(file.Bytes, file.ContentType, name);
    }
}
