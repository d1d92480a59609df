using System.Text.Json.Nodes;

namespace Reminders.Protocol.Tests;

/// <summary>Variants of the default protocol file, edited as JSON, and what the loader says about them.</summary>
static class ProtocolFiles
{
    public static JsonObject Default() => JsonNode.Parse(ProtocolLoader.DefaultJson())!.AsObject();

    public static string With(Action<JsonObject> edit)
    {
        var file = Default();
        edit(file);
        return file.ToJsonString();
    }

    public static List<string> Errors(string json) => [.. ProtocolLoader.Validate(json).Errors.Select(e => e.ToString())];

    public static List<string> Warnings(string json) => [.. ProtocolLoader.Validate(json).Warnings.Select(e => e.ToString())];

    public static List<string> ErrorsWith(Action<JsonObject> edit) => Errors(With(edit));

    public static List<string> WarningsWith(Action<JsonObject> edit)
    {
        var result = ProtocolLoader.Validate(With(edit));
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return [.. result.Warnings.Select(e => e.ToString())];
    }

    public static JsonObject Obj(this JsonNode? node, string name) => node![name]!.AsObject();
    public static JsonArray Arr(this JsonNode? node, string name) => node![name]!.AsArray();
}
