using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace NoKV.Diagnostics;

/// <summary>
/// NoKV's instruments on one <see cref="Meter"/>. One set per meter, shared by every store that
/// reports to it (the process-wide meter, or one from an <see cref="IMeterFactory"/>), because a
/// meter cannot drop instruments: creating them per store would pile up observable ones. Tags
/// are bounded: operation names, error types, stream modes; never paths.
/// </summary>
internal sealed class StoreInstruments
{
    /// <summary>Bucket boundaries in seconds: metadata operations take microseconds, GC and import minutes.</summary>
    private static readonly double[] DurationBuckets = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300];

    private readonly ConcurrentDictionary<object, Func<long?>> _layerSources = new();

    public StoreInstruments(Meter meter)
    {
        OperationDuration = meter.CreateHistogram("nokv.operation.duration", "s",
            "Duration of NoKV store operations, tagged nokv.operation (and error.type when the operation failed).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        BlocksUploaded = meter.CreateCounter<long>("nokv.block.uploads", "{block}", "Blocks stored in the block store.");
        BlocksDeleted = meter.CreateCounter<long>("nokv.block.deletes", "{block}", "Blocks deleted from the block store.");
        BytesWritten = meter.CreateCounter<long>("nokv.block.bytes_written", "By", "Bytes stored in the block store.");
        BytesRead = meter.CreateCounter<long>("nokv.block.bytes_read", "By", "Bytes read from the block store.");
        GcBlocksReclaimed = meter.CreateCounter<long>("nokv.gc.reclaimed.blocks", "{block}", "Blocks GC deleted: unreferenced file versions and orphans.");
        GcBytesReclaimed = meter.CreateCounter<long>("nokv.gc.reclaimed.bytes", "By", "Bytes of the file versions GC reclaimed.");
        Expired = meter.CreateCounter<long>("nokv.expired", "{item}", "Workspaces and snapshots GC dropped because they expired, tagged nokv.expired.kind (workspace, snapshot).");
        OpenStreams = meter.CreateUpDownCounter<long>("nokv.stream.open", "{stream}", "Open read and write streams, tagged nokv.stream.mode.");
        meter.CreateObservableUpDownCounter("nokv.layers", ObserveLayers, "{layer}", "Layers in the open stores' metadata (workspace heads, frozen layers of snapshots, garbage not yet collected).");
    }

    public Histogram<double> OperationDuration { get; }
    public Counter<long> BlocksUploaded { get; }
    public Counter<long> BlocksDeleted { get; }
    public Counter<long> BytesWritten { get; }
    public Counter<long> BytesRead { get; }
    public Counter<long> GcBlocksReclaimed { get; }
    public Counter<long> GcBytesReclaimed { get; }
    public UpDownCounter<long> OpenStreams { get; }
    public Counter<long> Expired { get; }

    /// <summary>Adds a store's layer count to <c>nokv.layers</c> until <see cref="RemoveLayerSource"/>.</summary>
    public void AddLayerSource(object store, Func<long?> count) => _layerSources[store] = count;

    public void RemoveLayerSource(object store) => _layerSources.TryRemove(store, out _);

    private IEnumerable<Measurement<long>> ObserveLayers()
    {
        long total = 0;
        var any = false;
        foreach (var source in _layerSources.Values)
        {
            if (source() is not { } count) continue; // closed meanwhile
            total += count;
            any = true;
        }
        return any ? [new Measurement<long>(total)] : [];
    }
}
