using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Reminders.Web.Components.Pages.Roster;

/// <summary>
/// A CSV a manager uploaded for a dry run, kept on the server until they apply it, so the apply is of exactly the bytes the
/// dry run checked (never a file chosen again). Per person, short-lived, applied once: a second apply of the same upload
/// (a double click, a reload) is refused. One store per console process: a console run as several replicas needs sticky sessions.
/// </summary>
public sealed class UploadedFiles(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    /// <summary>The services accept a roster of at most 20 MB.</summary>
    public const int MaxBytes = 20 * 1024 * 1024;
    const int MaxPerPerson = 5;

    /// <summary>One per console process (the pages and the download endpoint share it).</summary>
    public static UploadedFiles Shared { get; } = new(TimeProvider.System);

    readonly ConcurrentDictionary<Guid, Upload> uploads = new();

    public sealed record Upload(Guid Id, string Owner, string Kind, string FileName, byte[] Bytes, string Sha256, DateTimeOffset ExpiresAt)
    {
        /// <summary>Set once the upload was applied; what it left behind (an apply-valid's rejects) stays readable until it expires.</summary>
        public UploadApplied? Applied { get; init; }
        public bool Applying { get; init; }
    }

    /// <param name="Report">What the service answered to the apply (the page shows it again after the redirect).</param>
    public sealed record UploadApplied(DateTimeOffset At, object Report, byte[]? RejectsFile, string? RejectsContentType);

    public Upload Add(string owner, string kind, string fileName, byte[] bytes)
    {
        Purge();
        // A person's oldest uploads go first: nobody needs more than a few files checked and not applied.
        foreach (var old in uploads.Values.Where(u => u.Owner == owner).OrderByDescending(u => u.ExpiresAt).Skip(MaxPerPerson - 1))
            uploads.TryRemove(old.Id, out _);
        var upload = new Upload(Guid.NewGuid(), owner, kind, Path.GetFileName(fileName), bytes,
            Convert.ToHexStringLower(SHA256.HashData(bytes)), clock.GetUtcNow() + Lifetime);
        uploads[upload.Id] = upload;
        return upload;
    }

    /// <summary>A file from an upload form, or why it cannot be kept (none chosen, empty, too large).</summary>
    public async Task<(Upload? Upload, string? Refusal)> ReceiveAsync(string owner, string kind, IFormFile? file, CancellationToken ct = default)
    {
        if (file is null || file.Length == 0) return (null, "NoFile");
        if (file.Length > MaxBytes) return (null, "TooLarge");
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        return (Add(owner, kind, file.FileName, buffer.ToArray()), null);
    }

    /// <summary>The person's own upload of that kind, unexpired; never another person's.</summary>
    public Upload? Find(Guid id, string owner, string kind)
    {
        Purge();
        return uploads.TryGetValue(id, out var upload) && upload.Owner == owner && upload.Kind == kind ? upload : null;
    }

    /// <summary>
    /// Takes the upload for applying, once: null when it is gone, someone else's, already applied or being applied, or when
    /// <paramref name="sha256"/> (what the person's dry run showed) is not its hash.
    /// </summary>
    public Upload? Claim(Guid id, string owner, string kind, string sha256)
    {
        var upload = Find(id, owner, kind);
        if (upload is null || upload.Applied is not null || upload.Applying || upload.Sha256 != sha256) return null;
        return uploads.TryUpdate(id, upload with { Applying = true }, upload) ? upload : null;
    }

    /// <summary>The apply did not happen (the service was unreachable or refused all of it): the upload can be applied again.</summary>
    public void Release(Guid id)
    {
        if (uploads.TryGetValue(id, out var upload)) uploads.TryUpdate(id, upload with { Applying = false }, upload);
    }

    public void Applied(Guid id, object report, byte[]? rejectsFile = null, string? rejectsContentType = null)
    {
        if (uploads.TryGetValue(id, out var upload))
            uploads.TryUpdate(id, upload with { Applying = false, Applied = new UploadApplied(clock.GetUtcNow(), report, rejectsFile, rejectsContentType) }, upload);
    }

    void Purge()
    {
        var now = clock.GetUtcNow();
        foreach (var expired in uploads.Values.Where(u => u.ExpiresAt <= now)) uploads.TryRemove(expired.Id, out _);
    }
}
