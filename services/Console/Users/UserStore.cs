using Dapper;
using Microsoft.AspNetCore.Identity;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Web.Users;

/// <summary>
/// The console's own users (its only data): passwords hashed with ASP.NET Core's <see cref="PasswordHasher{TUser}"/>,
/// and an account locked for <see cref="LockoutDuration"/> after <see cref="MaxFailedSignIns"/> wrong passwords in a row.
/// </summary>
public sealed class UserStore(ServiceDatabase database, TimeProvider clock)
{
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    public const int MinimumPasswordLength = 10;

    readonly PasswordHasher<ConsoleUser> hasher = new();

    const string Columns = """
        id, name, full_name, role, trainer_id, password_hash,
        failed_sign_ins, locked_until, last_sign_in_at, disabled, created_at
        """;

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    public async Task<ConsoleUser?> FindAsync(string name, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ConsoleUser>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE normalized_name = @name", new { name = Normalize(name) }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<ConsoleUser>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<ConsoleUser>(new CommandDefinition($"SELECT {Columns} FROM users ORDER BY normalized_name", cancellationToken: ct))).ToList();
    }

    /// <summary>Creates a user, or says why not (an existing name, an unknown role, a short password, a trainer without a trainer id).</summary>
    public async Task<(ConsoleUser? User, string? Error)> AddAsync(string name, string role, string password, string? fullName, Guid? trainerId, string createdBy, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name)) return (null, "The name is empty.");
        if (!Roles.All.Contains(role)) return (null, $"Unknown role '{role}': use {string.Join(", ", Roles.All)}.");
        if (password.Length < MinimumPasswordLength) return (null, $"The password needs at least {MinimumPasswordLength} characters.");
        if (role == Roles.Trainer && trainerId is null) return (null, "A trainer needs --trainer <the Scheduler's trainer id>, so they see their own sessions.");
        if (role != Roles.Trainer && trainerId is not null) return (null, "Only a trainer is linked to a trainer id.");
        if (await FindAsync(name, ct) is not null) return (null, $"A user named '{name.Trim()}' already exists.");
        var now = clock.GetUtcNow();
        var user = new ConsoleUser { Id = Guid.CreateVersion7(), Name = name.Trim(), FullName = fullName?.Trim(), Role = role, TrainerId = trainerId, CreatedAt = now };
        user = user with { PasswordHash = hasher.HashPassword(user, password) };
        await using var work = await database.BeginAsync(ct);
        await work.ExecuteAsync("""
            INSERT INTO users (id, name, normalized_name, full_name, role, trainer_id, password_hash, created_at, created_by)
            VALUES (@Id, @Name, @normalized, @FullName, @Role, @TrainerId, @PasswordHash, @CreatedAt, @createdBy)
            """, new { user.Id, user.Name, normalized = Normalize(user.Name), user.FullName, user.Role, user.TrainerId, user.PasswordHash, user.CreatedAt, createdBy }, ct);
        await work.CommitAsync(ct);
        return (user, null);
    }

    public async Task<bool> SetPasswordAsync(string name, string password, CancellationToken ct = default)
    {
        var user = await FindAsync(name, ct);
        if (user is null) return false;
        await using var work = await database.BeginAsync(ct);
        await work.ExecuteAsync("UPDATE users SET password_hash = @hash, failed_sign_ins = 0, locked_until = NULL WHERE id = @Id",
            new { hash = hasher.HashPassword(user, password), user.Id }, ct);
        await work.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Checks a password. A wrong one counts toward the lockout; a locked or disabled account is refused even with the
    /// right password, so guessing gains nothing while locked.
    /// </summary>
    public async Task<SignInOutcome> CheckPasswordAsync(string name, string password, CancellationToken ct = default)
    {
        var user = await FindAsync(name, ct);
        var now = clock.GetUtcNow();
        if (user is null)
        {
            // Same work as for a real user, so timing does not tell which names exist.
            hasher.VerifyHashedPassword(new ConsoleUser(), DummyHash, password);
            return new SignInOutcome(SignInResultKind.WrongNameOrPassword, null, null);
        }
        if (user.Disabled) return new SignInOutcome(SignInResultKind.Disabled, null, null);
        if (user.LockedUntil is { } until && until > now) return new SignInOutcome(SignInResultKind.LockedOut, null, until);

        var verdict = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        await using var work = await database.BeginAsync(ct);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var failures = user.FailedSignIns + 1;
            DateTimeOffset? lockedUntil = failures >= MaxFailedSignIns ? now + LockoutDuration : null;
            await work.ExecuteAsync("UPDATE users SET failed_sign_ins = @failures, locked_until = @lockedUntil WHERE id = @Id",
                new { failures = lockedUntil is null ? failures : 0, lockedUntil, user.Id }, ct);
            await work.CommitAsync(ct);
            return lockedUntil is null
                ? new SignInOutcome(SignInResultKind.WrongNameOrPassword, null, null)
                : new SignInOutcome(SignInResultKind.LockedOut, null, lockedUntil);
        }
        var hash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? hasher.HashPassword(user, password) : user.PasswordHash;
        await work.ExecuteAsync("UPDATE users SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = @now, password_hash = @hash WHERE id = @Id",
            new { now, hash, user.Id }, ct);
        await work.CommitAsync(ct);
        return new SignInOutcome(SignInResultKind.SignedIn, user with { LastSignInAt = now }, null);
    }

    static readonly string DummyHash = new PasswordHasher<ConsoleUser>().HashPassword(new ConsoleUser(), "not-a-password-anyone-has");
}

public enum SignInResultKind { SignedIn, WrongNameOrPassword, LockedOut, Disabled }

public sealed record SignInOutcome(SignInResultKind Kind, ConsoleUser? User, DateTimeOffset? LockedUntil);
