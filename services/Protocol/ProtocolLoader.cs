using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Reminders.Protocol;

/// <summary>
/// Reads and validates the study protocol. A service loads it once at start-up from the file named by
/// <c>Protocol:Path</c>, or the default embedded in this assembly (<c>Protocol/study-protocol.json</c>, also copied
/// beside every host's binaries) when the key is empty; an invalid file stops the service with every error listed.
/// </summary>
public static class ProtocolLoader
{
    /// <summary>The file layout this build reads.</summary>
    public const int SchemaVersion = 1;
    public const string PathKey = "Protocol:Path";
    public const string EmbeddedSource = "embedded default";
    /// <summary>Where the default file lands in a host's output folder.</summary>
    public const string DefaultRelativePath = "Protocol/study-protocol.json";
    const string ResourceName = "Reminders.Protocol.study-protocol.json";

    static readonly Lazy<StudyProtocol> Default = new(() => Load(DefaultJson(), EmbeddedSource));

    /// <summary>Reads <paramref name="json"/> and reports every error and warning, without throwing.</summary>
    public static ProtocolValidation Validate(string json, string source = "inline JSON")
    {
        var log = new IssueLog();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            var reason = e.Message.Split(" LineNumber:")[0].Split(" Path:")[0];
            log.Error("$", $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {reason}");
            return new ProtocolValidation(null, [.. log.Errors], []);
        }
        using (document)
        {
            var protocol = ProtocolParser.Parse(document.RootElement, log);
            return new ProtocolValidation(protocol is null ? null : protocol with { Source = source }, [.. log.Errors], [.. log.Warnings]);
        }
    }

    /// <summary>The protocol in <paramref name="json"/>; <see cref="ProtocolException"/> with every error when it is invalid.</summary>
    public static StudyProtocol Load(string json, string source = "inline JSON")
    {
        var result = Validate(json, source);
        return result.Protocol ?? throw new ProtocolException(source, result.Errors);
    }

    public static StudyProtocol LoadFile(string path)
    {
        var full = Path.GetFullPath(path);
        return Load(File.ReadAllText(full), full);
    }

    /// <summary>The protocol committed with this build (read once).</summary>
    public static StudyProtocol LoadDefault() => Default.Value;

    /// <summary>The text of the embedded default file, e.g. as a starting point for a new version.</summary>
    public static string DefaultJson()
    {
        using var stream = typeof(ProtocolLoader).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from {typeof(ProtocolLoader).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The file named by <c>Protocol:Path</c>, or the embedded default when the key is empty. A relative path is looked
    /// up in the working directory, then beside the binaries (where <see cref="DefaultRelativePath"/> is copied).
    /// </summary>
    public static StudyProtocol Load(IConfiguration configuration)
    {
        var configured = configuration[PathKey];
        if (string.IsNullOrWhiteSpace(configured)) return LoadDefault();
        var candidates = Path.IsPathRooted(configured)
            ? [configured]
            : new[] { Path.GetFullPath(configured), Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, configured)) }.Distinct().ToArray();
        var found = candidates.FirstOrDefault(File.Exists)
            ?? throw new ProtocolException(configured, [new ProtocolIssue(PathKey, $"no file at {string.Join(" nor at ", candidates)}")]);
        return LoadFile(found);
    }
}
