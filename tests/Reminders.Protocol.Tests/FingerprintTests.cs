using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reminders.Protocol.Tests;

public sealed class FingerprintTests
{
    [Fact]
    public void The_fingerprint_is_a_stable_sha256()
    {
        var first = ProtocolLoader.Load(ProtocolLoader.DefaultJson()).Fingerprint;
        var second = ProtocolLoader.Load(ProtocolLoader.DefaultJson()).Fingerprint;

        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(first, second);
        Assert.Equal(first, ProtocolFingerprint.Of(ProtocolLoader.DefaultJson()));
    }

    [Fact]
    public void Reformatting_or_reordering_the_file_keeps_the_fingerprint()
    {
        var original = ProtocolFingerprint.Of(ProtocolLoader.DefaultJson());
        var file = ProtocolFiles.Default();
        var reordered = new JsonObject(file.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        var compact = reordered.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

        Assert.NotEqual(ProtocolLoader.DefaultJson(), compact);
        Assert.Equal(original, ProtocolLoader.Load(compact).Fingerprint);
    }

    [Fact]
    public void Any_change_of_content_changes_the_fingerprint()
    {
        var original = ProtocolFingerprint.Of(ProtocolLoader.DefaultJson());

        Assert.NotEqual(original, ProtocolLoader.Load(ProtocolFiles.With(p => p["version"] = "2026-11-v2")).Fingerprint);
        Assert.NotEqual(original, ProtocolLoader.Load(ProtocolFiles.With(p => p.Obj("reminders").Arr("schedule")[0]!["sendAt"] = "10:30")).Fingerprint);
        Assert.NotEqual(original, ProtocolLoader.Load(ProtocolFiles.With(p => p.Obj("keywords").Arr("help")[0] = "Ayuda")).Fingerprint);
    }

    [Fact]
    public void The_canonical_form_sorts_keys_drops_whitespace_and_escapes_only_what_JSON_requires()
    {
        using var document = JsonDocument.Parse("{ \"b\": [1, 2.5, true, null], \"a\": \"é \\\"ñ\\\"\\n\\u0001\", \"B\": {} }");

        Assert.Equal("{\"B\":{},\"a\":\"é \\\"ñ\\\"\\n\\u0001\",\"b\":[1,2.5,true,null]}", ProtocolFingerprint.Canonical(document.RootElement));
    }
}
