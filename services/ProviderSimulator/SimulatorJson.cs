using System.Text.Encodings.Web;
using System.Text.Json;

namespace Reminders.ProviderSimulator;

internal static class SimulatorJson
{
    /// <summary>Twilio's wire format: names are fixed by attributes, nulls are written, accents stay readable.</summary>
    public static readonly JsonSerializerOptions Twilio = new(JsonSerializerDefaults.General)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The control routes' format, independent of whatever JSON options the embedding host sets.</summary>
    public static readonly JsonSerializerOptions Control = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
