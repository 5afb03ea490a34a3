using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>
/// Deletes versions that no live view needs any more. A head write that hides an ancestor's
/// version queues it (<see cref="ShadowQueue"/>); so does anything that may have stopped a view
/// needing it. Each queued version is decided now: if some live view at or below its layer
/// still needs it (<see cref="VersionNeeds"/>), it is parked under that view's layer and woken
/// when that layer's views change; otherwise its record is deleted, releasing its generation.
/// This is what frees a file that both a base and its fork overwrote after the fork point,
/// whichever order the pins and heads that saw it go in.
/// </summary>
internal sealed class ShadowCollector(MetaDb meta)
{
    private const int Batch = 5_000;

    public long Collected { get; private set; }

    public void Run()
    {
        long next = 0;
        while (true)
        {
            var layer = meta.Read(txn => ShadowQueue.NextQueuedLayer(txn, next));
            if (layer == 0) return;
            var finished = meta.Write(txn => ProcessBatch(txn, layer));
            if (finished) next = layer + 1;
        }
    }

    /// <summary>Decides up to one batch of a layer's queued versions; true when none is left.</summary>
    private bool ProcessBatch(MetaTxn txn, long layerId)
    {
        var entries = ShadowQueue.Queued(txn, layerId, Batch);
        var layer = LayerTable.TryGet(txn, layerId);
        List<Viewer>? viewers = null;

        long removed = 0;
        foreach (var entry in entries)
        {
            ShadowQueue.Take(txn, entry);
            if (layer is null) continue; // the layer and its records are gone
            var type = entry[8];
            var recordKey = entry.AsSpan(9).ToArray();
            viewers ??= LiveViews.Load(txn).AtOrBelow(txn, layerId);
            var blocker = VersionNeeds.NeededBy(txn, viewers, layerId, type, recordKey);
            if (blocker != 0)
            {
                ShadowQueue.Park(txn, entry, blocker);
                continue;
            }
            if (!txn.Exists(LayerRecords.DatabaseOf(type), recordKey)) continue;
            LayerRecords.Drop(txn, type, recordKey);
            txn.Delete(Db.LayerIndex, entry);
            removed++;
        }
        if (layer is not null && removed > 0) LayerTable.Put(txn, layerId, layer with { RecordCount = layer.RecordCount - removed });
        Collected += removed;
        return entries.Count < Batch;
    }
}
