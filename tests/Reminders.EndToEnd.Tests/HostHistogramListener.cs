using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Reminders.EndToEnd.Tests;

/// <summary>The values one host records on one of its histograms (a group commit's group sizes), from its own meters only.</summary>
sealed class HostHistogramListener : IDisposable
{
    readonly MeterListener listener = new();
    readonly ConcurrentBag<int> values = [];

    public HostHistogramListener(IMeterFactory hostMeters, string instrumentName)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == instrumentName && instrument.Meter.Scope == hostMeters) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => values.Add(value));
        listener.Start();
    }

    public int Largest => values.IsEmpty ? 0 : values.Max();

    public void Dispose() => listener.Dispose();
}
