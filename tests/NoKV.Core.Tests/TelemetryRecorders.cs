using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NoKV.Tests;

/// <summary>One measurement a <see cref="MetricRecorder"/> saw: instrument, value and tags.</summary>
public sealed record RecordedMeasurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public string? Tag(string key) => Tags.TryGetValue(key, out var value) ? value?.ToString() : null;
}

/// <summary>
/// Collects NoKV's measurements with a real <see cref="MeterListener"/>, only from the meters the
/// filter accepts (e.g. those one <see cref="IMeterFactory"/> made, so parallel tests do not mix in).
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();

    public MetricRecorder(Func<Meter, bool> acceptMeter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == NoKVDiagnostics.MeterName && acceptMeter(instrument.Meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    /// <summary>Only measurements taken on this thread count (for the process-wide meter, which parallel tests share).</summary>
    public int? OnlyThread { get; init; }

    public IReadOnlyList<RecordedMeasurement> All => [.. _measurements];

    public IEnumerable<RecordedMeasurement> Of(string instrument) => _measurements.Where(m => m.Instrument == instrument);

    public long Sum(string instrument) => (long)Of(instrument).Sum(m => m.Value);

    /// <summary>Asks observable instruments (nokv.layers) for their values now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Clear() => _measurements.Clear();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (OnlyThread is { } thread && Environment.CurrentManagedThreadId != thread) return;
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags) copy[tag.Key] = tag.Value;
        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, instrument.Unit, value, copy));
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// Collects the spans of source "NoKV" with a real <see cref="ActivityListener"/>, only those in
/// the trace of the test's own root activity, so spans of tests running in parallel never mix in.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ActivitySource _testSource = new("NoKV.Tests." + Guid.NewGuid().ToString("N"));
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly Activity _root;

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == NoKVDiagnostics.ActivitySourceName || source == _testSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == NoKVDiagnostics.ActivitySourceName && activity.TraceId == _root!.TraceId) _spans.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(_listener);
        _root = _testSource.StartActivity("test")!; // becomes Activity.Current: the store's spans are its children
    }

    public IReadOnlyList<Activity> Spans => [.. _spans];

    public Activity Named(string name) => Assert.Single(_spans, s => s.OperationName == name);

    public void Dispose()
    {
        _root.Dispose();
        _listener.Dispose();
        _testSource.Dispose();
    }
}
