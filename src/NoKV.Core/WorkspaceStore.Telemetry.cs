using NoKV.Diagnostics;
using NoKV.Lmdb;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    /// <summary>
    /// This store's metrics and spans. Front ends time an operation with one line,
    /// <c>using var op = Telemetry.Start(StoreOperation.Read, path);</c>, and say it succeeded
    /// with <c>op.Complete()</c> (or <c>return op.Complete(result);</c>).
    /// </summary>
    internal StoreTelemetry Telemetry { get; }

    /// <summary>The block store as configured (<see cref="Blocks"/> is it wrapped in an <see cref="InstrumentedBlockStore"/>).</summary>
    internal IBlockStore ConfiguredBlocks => ((InstrumentedBlockStore)Blocks).Inner;

    /// <summary>For <c>nokv.layers</c>: asked on a metrics collection thread, so a store closing meanwhile reports nothing.</summary>
    private long? CountLayersForMetrics()
    {
        if (Volatile.Read(ref _disposed) != 0) return null;
        try
        {
            return _meta.Read(txn => txn.Count(Db.Layers));
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
