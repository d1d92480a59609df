namespace Reminders.ProviderSimulator.Tests.Infrastructure;

/// <summary>Distinct Mexico City mobile numbers, so tests sharing a simulator never see each other's messages.</summary>
public static class Phones
{
    public const string Sender = "+15005550006";
    public const string InvalidPrefix = "+52550000";
    public const string LandlinePrefix = "+52551111";
    public const string OptedOutPrefix = "+52552222";
    public const string UndeliveredPrefix = "+52553333";
    public const string FailedPrefix = "+52554444";

    private static int next = Random.Shared.Next(0, 50_000_000);

    public static string Next() => "+5256" + (Interlocked.Increment(ref next) % 100_000_000).ToString("D8");

    public static string WithPrefix(string prefix) => prefix + (Interlocked.Increment(ref next) % 10_000).ToString("D4");

    /// <summary>A sender of its own, so the per-sender rate limit of one test never touches another's.</summary>
    public static string NextSender() => "+1500" + (Interlocked.Increment(ref next) % 10_000_000).ToString("D7");
}
