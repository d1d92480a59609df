using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Reminders.Platform.Data;

namespace Reminders.Enrollment.Randomization;

/// <summary>The seed of a commit does not match the registered commitment; nothing was written.</summary>
public sealed class SeedMismatchException(SeedCommitment commitment) : Exception(
    $"The seed's SHA-256 (of its decimal text in UTF-8) is not the one {commitment.RegisteredBy} registered on " +
    $"{commitment.RegisteredAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC ({commitment.SeedSha256}); " +
    "nothing was written. Commit with the registered seed, or register a new commitment before the draw.")
{
    public SeedCommitment Commitment { get; } = commitment;
}

/// <summary>
/// Pre-registered draws: a manager registers SHA-256 of the seed's decimal text in UTF-8 (e.g. <c>printf %s 123456789 | sha256sum</c>)
/// before randomizing; the commit must then present that seed. A new registration before the draw replaces the pending one,
/// which stays in the history (a lost seed must not block the study, and the history shows every replacement); once used
/// by a commit, or while a randomization stands, a commitment cannot change.
/// </summary>
public static class SeedCommitments
{
    public const string Pending = "pending";
    public const string Used = "used";
    public const string Replaced = "replaced";

    /// <summary>Lowercase hex SHA-256 of the seed's decimal text (invariant, "-" for negatives, no leading zeros) in UTF-8.</summary>
    public static string Sha256Of(long seed) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed.ToString(CultureInfo.InvariantCulture))));

    /// <summary>64 hex digits, any case, as lowercase; null when <paramref name="text"/> is not that.</summary>
    public static string? NormalizeSha256(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        return trimmed.Length == 64 && trimmed.All(char.IsAsciiHexDigit) ? trimmed.ToLowerInvariant() : null;
    }

    /// <summary>The new pending commitment, or null when a randomization is committed (nothing written).</summary>
    public static async Task<SeedCommitment?> RegisterAsync(EnrollmentDatabase database, string seedSha256, string registeredBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await database.BeginAsync(ct);
        // The lock a commit takes first: a commitment never changes while a draw is being written.
        await work.LockAsync("sector-import", ct);
        if (await work.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM randomizations WHERE status = 'committed'", ct: ct) > 0)
            return null;
        await work.ExecuteAsync("""
            UPDATE seed_commitments SET status = 'replaced', replaced_at = @now, replaced_by = @registeredBy WHERE status = 'pending'
            """, new { now, registeredBy }, ct);
        var id = Guid.CreateVersion7(now);
        await work.ExecuteAsync("""
            INSERT INTO seed_commitments (id, seed_sha256, registered_by, registered_at, status)
            VALUES (@id, @seedSha256, @registeredBy, @now, 'pending')
            """, new { id, seedSha256, registeredBy, now }, ct);
        await work.CommitAsync(ct);
        return new SeedCommitment(id, seedSha256, registeredBy, now, Pending, null, null, null);
    }

    /// <summary>
    /// In a commit's transaction: the pending commitment, checked against <paramref name="seed"/> (throws
    /// <see cref="SeedMismatchException"/> when it does not match), or null when none is registered.
    /// </summary>
    public static async Task<SeedCommitment?> MatchPendingAsync(UnitOfWork work, long seed, CancellationToken ct)
    {
        var pending = (await work.QueryAsync<CommitmentRow>($"{Select} WHERE status = 'pending' {work.Dialect.ForUpdate()}", ct: ct))
            .SingleOrDefault()?.ToCommitment();
        if (pending is not null && pending.SeedSha256 != Sha256Of(seed)) throw new SeedMismatchException(pending);
        return pending;
    }

    /// <summary>In the commit's transaction, once its record is written: the commitment is used by it and can no longer change.</summary>
    public static Task MarkUsedAsync(UnitOfWork work, SeedCommitment commitment, Guid randomizationId, CancellationToken ct) =>
        work.ExecuteAsync("UPDATE seed_commitments SET status = 'used', randomization_id = @randomizationId WHERE id = @Id",
            new { randomizationId, commitment.Id }, ct);

    /// <summary>Every commitment, oldest first, replaced ones included.</summary>
    public static async Task<IReadOnlyList<SeedCommitment>> ListAsync(EnrollmentDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<CommitmentRow>(new CommandDefinition($"{Select} ORDER BY registered_at, id", cancellationToken: ct));
        return rows.Select(r => r.ToCommitment()).ToList();
    }

    internal const string Select = """
        SELECT id, seed_sha256, registered_by, registered_at, status,
               randomization_id, replaced_at, replaced_by
        FROM seed_commitments
        """;

    internal sealed record CommitmentRow
    {
        public Guid Id { get; init; }
        public string SeedSha256 { get; init; } = "";
        public string RegisteredBy { get; init; } = "";
        public DateTimeOffset RegisteredAt { get; init; }
        public string Status { get; init; } = "";
        public Guid? RandomizationId { get; init; }
        public DateTimeOffset? ReplacedAt { get; init; }
        public string? ReplacedBy { get; init; }

        public SeedCommitment ToCommitment() => new(Id, SeedSha256, RegisteredBy, RegisteredAt, Status, RandomizationId, ReplacedAt, ReplacedBy);
    }
}
