using System.Collections;
using System.Reflection;
using Reminders.Testing;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Reminders.EndToEnd.Tests;

/// <summary>
/// docker-compose.yml beyond its syntax: every key a service's environment sets is one that service binds (an options
/// class of its own assembly or of Platform, walked property by property), so a misspelt or moved key fails here instead
/// of being silently ignored in production.
/// </summary>
public sealed class ComposeFileTests
{
    static readonly Dictionary<string, Assembly> AssemblyOfDockerfile = new()
    {
        ["services/Enrollment/Dockerfile"] = typeof(Reminders.Enrollment.EnrollmentService).Assembly,
        ["services/Scheduler/Dockerfile"] = typeof(Reminders.Scheduler.SchedulerService).Assembly,
        ["services/Messaging/Dockerfile"] = typeof(Reminders.Messaging.MessagingService).Assembly,
        ["services/Attendance/Dockerfile"] = typeof(Reminders.Attendance.AttendanceService).Assembly,
        ["services/Console/Dockerfile"] = typeof(Reminders.Web.ConsoleOptions).Assembly,
        ["services/ProviderSimulator/Dockerfile"] = typeof(Reminders.ProviderSimulator.SimulatorOptions).Assembly,
    };

    [Fact]
    public void Every_environment_key_of_every_service_in_compose_is_one_that_service_reads()
    {
        var services = ComposeServices();
        Assert.Equal(AssemblyOfDockerfile.Keys.Order(), services.Select(s => s.Dockerfile).Distinct().Order());
        var unread = services
            .SelectMany(s => s.Environment.Select(key => (s.Name, Key: key.Replace("__", ":"), s.Dockerfile)))
            .Where(e => !Reads(AssemblyOfDockerfile[e.Dockerfile], e.Key))
            .Select(e => $"{e.Name}: {e.Key}")
            .ToList();
        Assert.True(unread.Count == 0, "Keys no options class of the service binds:\n" + string.Join('\n', unread));
    }

    [Fact]
    public void The_check_refuses_a_misspelt_key_a_key_of_another_service_and_a_key_below_a_plain_value()
    {
        var messaging = AssemblyOfDockerfile["services/Messaging/Dockerfile"];
        var scheduler = AssemblyOfDockerfile["services/Scheduler/Dockerfile"];
        Assert.True(Reads(messaging, "Messaging:Twilio:From"));
        Assert.True(Reads(messaging, "Auth:ApiKeys:3:Roles:0"));
        Assert.False(Reads(messaging, "Messaging:Twilio:Form"));
        Assert.False(Reads(scheduler, "Audit:Attendance:BaseUrl"));
        Assert.False(Reads(messaging, "Bus:RabbitMq:Host:Name"));
        Assert.False(Reads(messaging, "Auth:ApiKeys:first:Name"));
        Assert.False(Reads(AssemblyOfDockerfile["services/ProviderSimulator/Dockerfile"], "Database:Postgres"));
    }

    [Fact]
    public void Every_variable_compose_reads_is_documented_in_env_example_and_nothing_else_is()
    {
        var root = TestEnvironment.RepositoryRoot;
        var read = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(root, "docker-compose.yml")), @"\$\{([A-Z0-9_]+)")
            .Select(m => m.Groups[1].Value).ToHashSet();
        var documented = File.ReadAllLines(Path.Combine(root, ".env.example"))
            .Select(line => line.TrimStart('#', ' ')).Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^([A-Z0-9_]+)="))
            .Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Empty(read.Except(documented).Order());
        Assert.Empty(documented.Except(read).Order());
    }

    sealed record ComposeService(string Name, string Dockerfile, IReadOnlyList<string> Environment);

    static List<ComposeService> ComposeServices()
    {
        var yaml = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "docker-compose.yml"));
        // The merging parser resolves the file's "<<: *anchor" merges, as compose does.
        var document = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(new MergingParser(new Parser(new StringReader(yaml))));
        var result = new List<ComposeService>();
        foreach (DictionaryEntry entry in (IDictionary)document["services"])
        {
            var service = (IDictionary)entry.Value!;
            if (service["build"] is not IDictionary build) continue;
            var environment = service["environment"] is IDictionary env ? env.Keys.Cast<object>().Select(k => k.ToString()!).ToList() : [];
            result.Add(new ComposeService(entry.Key.ToString()!, build["dockerfile"]!.ToString()!, environment));
        }
        return result;
    }

    /// <summary>Whether binding the service's options would read <paramref name="key"/>: a section an options class declares, then its properties.</summary>
    static bool Reads(Assembly service, string key)
    {
        var segments = key.Split(':');
        var platform = typeof(Reminders.Platform.Hosting.ServiceDefaults).Assembly;
        var assemblies = service.GetReferencedAssemblies().Any(r => r.Name == platform.GetName().Name) ? new[] { service, platform } : [service];
        var sections = assemblies.SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
                ?? t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(t => t.Section is not null)
            .Select(t => (t.Type, Segments: t.Section!.Split(':')))
            .Where(t => t.Segments.Length < segments.Length && t.Segments.SequenceEqual(segments[..t.Segments.Length], StringComparer.OrdinalIgnoreCase));
        return sections.Any(s => Binds(s.Type, segments[s.Segments.Length..]));
    }

    static bool Binds(Type type, ReadOnlySpan<string> path)
    {
        if (path.IsEmpty) return true;
        if (IsPlainValue(type)) return false;
        if (type.IsArray) return int.TryParse(path[0], out _) && Binds(type.GetElementType()!, path[1..]);
        var dictionary = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null) return Binds(dictionary.GetGenericArguments()[1], path[1..]);
        var list = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        if (list is not null) return int.TryParse(path[0], out _) && Binds(list.GetGenericArguments()[0], path[1..]);
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is { CanWrite: true } or { PropertyType.IsClass: true, CanRead: true } && Binds(property.PropertyType, path[1..]);
    }

    static bool IsPlainValue(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(DateTimeOffset)
            || t == typeof(DateTime) || t == typeof(Uri) || t == typeof(Guid) || t == typeof(TimeOnly) || t == typeof(DateOnly);
    }
}
