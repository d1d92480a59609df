using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Reminders.Platform.Auth;
using Reminders.Platform.Data;

namespace Reminders.Web.Users;

/// <summary>
/// <c>users add --name ana --role manager [--full-name "Ana López"] [--trainer &lt;id&gt;] [--password ...]</c>,
/// <c>users set-password --name ana [--password ...]</c>, <c>users list</c>. A password not given is generated and printed once.
/// The database is the console's, from the same configuration as the host (<c>--Database:Provider</c>, environment...).
/// </summary>
public static class UsersCommand
{
    public const string Usage = """
        usage: users add --name <name> --role manager|trainer|researcher [--full-name "<full name>"] [--trainer <trainer id>] [--password <password>]
               users set-password --name <name> [--password <password>]
               users list
        """;

    public static async Task<int> RunAsync(string[] args, IConfiguration? configuration = null)
    {
        if (args.Length == 0) { Console.Error.WriteLine(Usage); return 2; }
        var (options, rest) = Parse(args[1..]);
        configuration ??= new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(rest).Build();
        await using var database = new ServiceDatabase(ConsoleHost.Name, configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions());
        await new Migrator(database, [typeof(UsersCommand).Assembly], NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        var store = new UserStore(database, TimeProvider.System);
        switch (args[0])
        {
            case "add":
            {
                if (!options.TryGetValue("name", out var name) || !options.TryGetValue("role", out var role)) { Console.Error.WriteLine(Usage); return 2; }
                Guid? trainerId = null;
                if (options.TryGetValue("trainer", out var trainer))
                {
                    if (!Guid.TryParse(trainer, out var id)) { Console.Error.WriteLine($"--trainer must be the Scheduler's trainer id (a GUID), not '{trainer}'."); return 2; }
                    trainerId = id;
                }
                var password = options.GetValueOrDefault("password") ?? NewPassword();
                var (user, error) = await store.AddAsync(name, role.ToLowerInvariant(), password, options.GetValueOrDefault("full-name"), trainerId, "users command");
                if (user is null) { Console.Error.WriteLine(error); return 1; }
                Console.WriteLine($"user {user.Name} ({user.Role}) created{(options.ContainsKey("password") ? "" : $"; password: {password}")}");
                return 0;
            }
            case "set-password":
            {
                if (!options.TryGetValue("name", out var name)) { Console.Error.WriteLine(Usage); return 2; }
                var password = options.GetValueOrDefault("password") ?? NewPassword();
                if (password.Length < UserStore.MinimumPasswordLength) { Console.Error.WriteLine($"The password needs at least {UserStore.MinimumPasswordLength} characters."); return 1; }
                if (!await store.SetPasswordAsync(name, password)) { Console.Error.WriteLine($"No user named '{name}'."); return 1; }
                Console.WriteLine($"password of {name} set{(options.ContainsKey("password") ? "" : $": {password}")}; the account is unlocked");
                return 0;
            }
            case "list":
                foreach (var user in await store.ListAsync())
                    Console.WriteLine($"{user.Name,-20} {user.Role,-10} {user.FullName,-30} {(user.LockedUntil > DateTimeOffset.UtcNow ? "locked" : "")} last sign-in {user.LastSignInAt?.ToString("u") ?? "never"}");
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    /// <summary>Sixteen characters from an alphabet without look-alikes (no 0/O, 1/l/I), easy to read aloud and type.</summary>
    public static string NewPassword() =>
        RandomNumberGenerator.GetString("abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789", 16);

    /// <summary>Our own <c>--key value</c> options; anything else (e.g. <c>--Database:Provider Postgres</c>) goes to configuration.</summary>
    static (Dictionary<string, string> Options, string[] Others) Parse(string[] args)
    {
        string[] known = ["name", "role", "full-name", "trainer", "password"];
        var options = new Dictionary<string, string>();
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var key = args[i].TrimStart('-');
            if (args[i].StartsWith("--") && known.Contains(key) && i + 1 < args.Length) options[key] = args[++i];
            else rest.Add(args[i]);
        }
        return (options, rest.ToArray());
    }
}
