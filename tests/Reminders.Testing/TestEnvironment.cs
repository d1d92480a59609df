namespace Reminders.Testing;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ are (deploy/test.sh exports these; the defaults match deploy/dev-services.sh).
/// </summary>
public static class TestEnvironment
{
    public static string Postgres =>
        Environment.GetEnvironmentVariable("REMINDERS_TEST_POSTGRES")
        ?? "Host=127.0.0.1;Port=5432;Username=reminders;Password=reminders-dev-only;Database=reminders";

    public static Uri RabbitMq => new(Environment.GetEnvironmentVariable("REMINDERS_TEST_RABBITMQ") ?? "amqp://reminders:reminders-dev-only@127.0.0.1:5672/");

    public static Uri RabbitMqManagement => new(Environment.GetEnvironmentVariable("REMINDERS_TEST_RABBITMQ_MANAGEMENT") ?? "http://127.0.0.1:15672");

    public static (string User, string Password) RabbitMqCredentials
    {
        get
        {
            var parts = RabbitMq.UserInfo.Split(':', 2);
            return (Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
        }
    }

    /// <summary>The repository root (the folder that holds Reminders.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Reminders.sln"))) return dir.FullName;
            throw new InvalidOperationException("Reminders.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Release or Debug: the configuration the tests were built in, so service processes match.</summary>
    public static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
}
