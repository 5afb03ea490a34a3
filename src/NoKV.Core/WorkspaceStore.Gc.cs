using System.Diagnostics;
using NoKV.Diagnostics;
using NoKV.Gc;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    private readonly SemaphoreSlim _gcGate = new(1, 1);

    /// <summary>
    /// Drops the workspaces and releases the snapshots whose time-to-live has passed (see
    /// <see cref="WorkspaceOptions.TimeToLive"/>), then reclaims what no live workspace and no
    /// snapshot can reach: records of deleted workspaces,
    /// rolled-back heads and released snapshots, and the blocks of file versions nothing
    /// references. Never deletes a block a workspace or snapshot can read. Cost follows the
    /// garbage, not the store size. Safe to run while other threads read and write.
    /// </summary>
    /// <exception cref="StoreCorruptedException">A full sweep was asked of metadata that has never written a block while the block store holds NoKV blocks; nothing was swept.</exception>
    /// <exception cref="DeferredCommitFailedException">A deferred commit failed since the store opened: it refuses changes until reopened.</exception>
    /// <param name="mode">Incremental (the default) looks only at queued garbage; Full also sweeps the block store for orphans and counts blocks only snapshots keep.</param>
    public GcReport CollectGarbage(GcMode mode = GcMode.Incremental) => CollectGarbageAsync(mode).GetAwaiter().GetResult();

    /// <inheritdoc cref="CollectGarbage"/>
    public async Task<GcReport> CollectGarbageAsync(GcMode mode = GcMode.Incremental, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        _meta.ThrowIfCommitFailed(); // GC acts on metadata this process may have seen change and lose
        using var op = Telemetry.Start(StoreOperation.Gc);
        await _gcGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var clock = Stopwatch.StartNew();
            // Expiry first: what it drops is collected by the steps below in the same run.
            var expiry = new Expiry.ExpiryCollector(this);
            expiry.Run(cancellationToken);
            var layers = new LayerCollector(_meta);
            layers.Run();
            var shadowed = new ShadowCollector(_meta);
            shadowed.Run();
            var generations = new GenerationCollector(_meta, Blocks, _leases);
            await generations.RunAsync(cancellationToken).ConfigureAwait(false);
            // Blocks forwards maintenance (IBlockStoreMaintenance) to the configured store, and counts the deletes.
            var orphans = new OrphanCollector(_meta, Blocks, _pending, _options.OrphanGracePeriod);
            await orphans.RunPendingAsync(cancellationToken).ConfigureAwait(false);
            long? snapshotOnly = null;
            if (mode == GcMode.Full)
            {
                await FullSweepGuard.EnsureMetadataVouchesForBlocksAsync(_meta, Blocks, cancellationToken).ConfigureAwait(false);
                await orphans.RunFullSweepAsync(cancellationToken).ConfigureAwait(false);
                snapshotOnly = _meta.Read(SnapshotOnlyCounter.Count);
            }
            Logging.Log.GarbageCollected(Logger, mode, generations.BlocksDeleted, generations.BytesReclaimed, generations.Generations,
                layers.Collected, layers.Merged, orphans.Deleted, clock.ElapsedMilliseconds);
            var report = new GcReport
            {
                Mode = mode,
                OrphansDeleted = orphans.Deleted,
                BlocksBlockedBySnapshots = snapshotOnly,
                LayersCollected = layers.Collected,
                LayersMerged = layers.Merged,
                ShadowedVersionsCollected = shadowed.Collected,
                GenerationsCollected = generations.Generations,
                GenerationsInUse = generations.InUse,
                BlocksDeleted = generations.BlocksDeleted,
                BytesReclaimed = generations.BytesReclaimed,
                Duration = clock.Elapsed,
                ExpiredWorkspaces = expiry.Workspaces,
                ExpiredSnapshots = expiry.Snapshots,
                ExpiryDeferred = expiry.Deferred,
            };
            Telemetry.GcCompleted(op, report);
            return op.Complete(report);
        }
        finally
        {
            _gcGate.Release();
        }
    }
}
