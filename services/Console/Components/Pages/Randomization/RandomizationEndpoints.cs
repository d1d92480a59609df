using Microsoft.AspNetCore.Authorization;
using Reminders.Platform.Auth;
using Reminders.Web.Services;

// In the console's root namespace, so ConsoleHost maps it with one line and no using.
namespace Reminders.Web;

/// <summary>The randomization's files for the browser (allocation.csv, balance.csv), read-only for managers and researchers.</summary>
public static class RandomizationEndpoints
{
    /// <summary>The README's reference implementation (section "Randomization algorithm"), shown on the record so anyone can re-derive the allocation.</summary>
    public const string ReferencePython = """"
        import hashlib, math

        def h16(text):  # first 8 bytes of SHA-256 over UTF-8, as 16 hex digits (sorts like the big-endian number)
            return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

        def allocate(sectors, seed, share=0.5):
            """sectors: [(code, stratum)]. Returns {code: "treatment" | "control"}."""
            strata, arm, misfits, floors = {}, {}, [], 0
            for code, stratum in sectors:
                strata.setdefault(stratum, []).append(code)
            for codes in strata.values():
                codes.sort(key=lambda c: (h16(f"{seed}:{c}"), c))
                t = math.floor(len(codes) * share)
                floors += t
                for i, c in enumerate(codes):
                    arm[c] = "treatment" if i < t else "control"
                if len(codes) * share > t:
                    misfits.append(codes[t])
            misfits.sort(key=lambda c: (h16(f"{seed}:misfit:{c}"), c))
            for c in misfits[: math.floor(len(sectors) * share + 0.5) - floors]:
                arm[c] = "treatment"
            return arm

        def sector_list_hash(sectors):
            lines = sorted(f"{code}\t{stratum}\n".encode("utf-8") for code, stratum in sectors)
            return hashlib.sha256(b"".join(lines)).hexdigest()
        """";

    public static WebApplication MapRandomizationEndpoints(this WebApplication app)
    {
        foreach (var table in new[] { "allocation", "balance" })
            app.MapGet($"/randomization/{{id:guid}}/{table}.csv", async (Guid id, EnrollmentClient enrollment, CancellationToken ct) =>
            {
                var file = await enrollment.RandomizationCsvAsync(id, table, ct);
                return file.Ok
                    ? Results.File(file.Value!.Bytes, file.Value.ContentType, file.Value.FileName ?? $"{table}-{id}.csv")
                    : Results.Problem(title: file.Problem!.Title, detail: file.Problem.Detail, statusCode: file.Problem.Status is 0 ? 502 : file.Problem.Status);
            }).RequireAuthorization(new AuthorizeAttribute { Roles = $"{Roles.Manager},{Roles.Researcher}" });
        return app;
    }
}
