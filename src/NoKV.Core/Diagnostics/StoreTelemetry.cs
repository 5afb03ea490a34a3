using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace NoKV.Diagnostics;

/// <summary>
/// One store's metrics and spans. The meter comes from the <see cref="IMeterFactory"/> in the
/// store's options when there is one (a host's container: its listeners see only its stores),
/// else it is the process-wide meter named <see cref="NoKVDiagnostics.MeterName"/>. Spans come
/// from the process-wide <see cref="ActivitySource"/> named <see cref="NoKVDiagnostics.ActivitySourceName"/>.
/// </summary>
internal sealed class StoreTelemetry : IDisposable
{
    internal static readonly ActivitySource Source = new(NoKVDiagnostics.ActivitySourceName, Version);
    private static readonly Meter SharedMeter = new(NoKVDiagnostics.MeterName, Version);
    private static readonly ConditionalWeakTable<Meter, StoreInstruments> InstrumentsByMeter = new();

    private const string Version = "1.0";

    /// <param name="meterFactory">Where the meter comes from; null for the process-wide one.</param>
    /// <param name="layerCount">The store's layer count for <c>nokv.layers</c>; null once the store is closed.</param>
    public StoreTelemetry(IMeterFactory? meterFactory, Func<long?> layerCount)
    {
        // A factory hands out one meter per name (and scope) however often it is asked, so stores
        // of one container share its instruments, as stores without a factory share the static ones.
        var meter = meterFactory?.Create(new MeterOptions(NoKVDiagnostics.MeterName) { Version = Version }) ?? SharedMeter;
        Instruments = InstrumentsByMeter.GetValue(meter, m => new StoreInstruments(m));
        Instruments.AddLayerSource(this, layerCount);
    }

    public StoreInstruments Instruments { get; }

    /// <summary>
    /// Starts timing (and, if anyone listens, tracing) one operation. Use with <c>using</c>, and
    /// call <see cref="OperationScope.Complete()"/> when it succeeds: a scope disposed without
    /// it counts as failed.
    /// </summary>
    /// <param name="operation">What runs.</param>
    /// <param name="workspacePath">The workspace or store path it acts on: a span tag only, never a metric tag.</param>
    public OperationScope Start(StoreOperation operation, string? workspacePath = null)
    {
        var activity = Source.HasListeners() ? Source.StartActivity(operation.SpanName(), ActivityKind.Internal) : null;
        if (activity is null && !Instruments.OperationDuration.Enabled) return OperationScope.Disabled;
        if (activity is { IsAllDataRequested: true } && workspacePath is not null) activity.SetTag("nokv.workspace.path", workspacePath);
        return new OperationScope(Instruments.OperationDuration, operation, activity);
    }

    /// <summary>A read or write stream was opened; pair with <see cref="StreamClosed"/> exactly once.</summary>
    public void StreamOpened(bool writable) => Instruments.OpenStreams.Add(1, new KeyValuePair<string, object?>("nokv.stream.mode", writable ? "write" : "read"));

    /// <summary>A stream from <see cref="StreamOpened"/> was closed (or abandoned).</summary>
    public void StreamClosed(bool writable) => Instruments.OpenStreams.Add(-1, new KeyValuePair<string, object?>("nokv.stream.mode", writable ? "write" : "read"));

    /// <summary>Counts what a GC run reclaimed, and tags its span.</summary>
    public void GcCompleted(OperationScope scope, GcReport report)
    {
        Instruments.GcBlocksReclaimed.Add(report.BlocksDeleted + report.OrphansDeleted);
        Instruments.GcBytesReclaimed.Add(report.BytesReclaimed);
        if (report.ExpiredWorkspaces > 0) Instruments.Expired.Add(report.ExpiredWorkspaces, new KeyValuePair<string, object?>("nokv.expired.kind", "workspace"));
        if (report.ExpiredSnapshots > 0) Instruments.Expired.Add(report.ExpiredSnapshots, new KeyValuePair<string, object?>("nokv.expired.kind", "snapshot"));
        scope.SetTag("nokv.gc.mode", report.Mode == GcMode.Full ? "full" : "incremental")
            .SetTag("nokv.gc.blocks_deleted", report.BlocksDeleted)
            .SetTag("nokv.gc.orphans_deleted", report.OrphansDeleted)
            .SetTag("nokv.gc.bytes_reclaimed", report.BytesReclaimed)
            .SetTag("nokv.gc.layers_collected", report.LayersCollected);
    }

    public void Dispose() => Instruments.RemoveLayerSource(this);
}
