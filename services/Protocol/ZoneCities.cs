namespace Reminders.Protocol;

/// <summary>
/// The city a zone is called by, as people in the field say it ("hora de Ciudad de México", never "America/Mexico_City"):
/// Mexico's IANA zones in Spanish and English, any other by its id's city ("Port of Spain"). The console's clock and the
/// trainers' calendar feeds both name zones this way.
/// </summary>
public static class ZoneCities
{
    static readonly Dictionary<string, (string Spanish, string English)> Mexican = new(StringComparer.Ordinal)
    {
        ["America/Mexico_City"] = ("Ciudad de México", "Mexico City"),
        ["America/Tijuana"] = ("Tijuana", "Tijuana"),
        ["America/Monterrey"] = ("Monterrey", "Monterrey"),
        ["America/Cancun"] = ("Cancún", "Cancun"),
        ["America/Merida"] = ("Mérida", "Merida"),
        ["America/Chihuahua"] = ("Chihuahua", "Chihuahua"),
        ["America/Hermosillo"] = ("Hermosillo", "Hermosillo"),
        ["America/Mazatlan"] = ("Mazatlán", "Mazatlan"),
        ["America/Matamoros"] = ("Matamoros", "Matamoros"),
        ["America/Ciudad_Juarez"] = ("Ciudad Juárez", "Ciudad Juarez"),
        ["America/Ojinaga"] = ("Ojinaga", "Ojinaga"),
        ["America/Bahia_Banderas"] = ("Bahía de Banderas", "Bahia de Banderas"),
    };

    public static string Name(string zoneId, bool english = false) =>
        Mexican.TryGetValue(zoneId, out var name) ? english ? name.English : name.Spanish
            : zoneId[(zoneId.LastIndexOf('/') + 1)..].Replace('_', ' ');
}
