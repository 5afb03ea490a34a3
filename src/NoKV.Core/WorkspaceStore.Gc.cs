using System.Diagnostics;
using NoKV.Gc;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    private readonly SemaphoreSlim _gcGate = new(1, 1);

    /// <summary>
    /// Reclaims what no live workspace and no snapshot can reach: records of deleted workspaces,
    /// rolled-back heads and released snapshots, and the blocks of file versions nothing
    /// references. Never deletes a block a workspace or snapshot can read. Cost follows the
    /// garbage, not the store size. Safe to run while other threads read and write.
    /// </summary>
    public GcReport CollectGarbage() => CollectGarbageAsync().GetAwaiter().GetResult();

    /// <inheritdoc cref="CollectGarbage"/>
    public async Task<GcReport> CollectGarbageAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await _gcGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var clock = Stopwatch.StartNew();
            var layers = new LayerCollector(_meta);
            layers.Run();
            var generations = new GenerationCollector(_meta, Blocks, _leases);
            await generations.RunAsync(cancellationToken).ConfigureAwait(false);
            return new GcReport
            {
                LayersCollected = layers.Collected,
                LayersMerged = layers.Merged,
                GenerationsCollected = generations.Generations,
                GenerationsInUse = generations.InUse,
                BlocksDeleted = generations.BlocksDeleted,
                BytesReclaimed = generations.BytesReclaimed,
                Duration = clock.Elapsed,
            };
        }
        finally
        {
            _gcGate.Release();
        }
    }
}
