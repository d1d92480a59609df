namespace Reminders.Platform.Data;

/// <summary>
/// Ids handed out by a dry run (a training plan shown, not recorded): UUIDs of version 8 with a fixed marker, so any
/// service that is later asked for one can tell for sure that it came from a dry run and say so, rather than a bare 404.
/// Recorded ids are version 7; nothing else issues version 8 with this marker.
/// </summary>
public static class DryRunIds
{
    // Big-endian bytes 6 and 7: the version nibble 8, then the 12 bits 0xD21 ("dry") where version 7 puts random bits.
    const byte VersionAndMarkerHigh = 0x8D;
    const byte MarkerLow = 0x21;

    /// <summary>A new dry-run id: time-ordered like a version 7 UUID, marked as a dry run's.</summary>
    public static Guid New()
    {
        var bytes = Guid.CreateVersion7().ToByteArray(bigEndian: true);
        bytes[6] = VersionAndMarkerHigh;
        bytes[7] = MarkerLow;
        return new Guid(bytes, bigEndian: true);
    }

    public static bool Is(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return bytes[6] == VersionAndMarkerHigh && bytes[7] == MarkerLow;
    }
}
