using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>
/// Deletes versions that no live view can see any more. A head write that hides an ancestor's
/// version queues it; the version is dead when every branch below its layer either hides it too
/// or ends in no live view (no workspace head, no pin). Layers that are themselves a head or
/// pinned still show their versions, so their entries wait until that changes. This is what
/// frees a file that both a base and its fork overwrote after the fork point.
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
            var layer = meta.Read(txn => txn.First(Db.GcShadowed, [], Keys.U64(next)) is { } e ? Keys.ReadU64(e.Key) : 0);
            if (layer == 0) return;
            var finished = meta.Write(txn => ProcessBatch(txn, layer));
            if (finished) next = layer + 1;
        }
    }

    /// <summary>Processes up to one batch of a layer's entries; true when none is left to process now.</summary>
    private bool ProcessBatch(MetaTxn txn, long layerId)
    {
        var entries = txn.Scan(Db.GcShadowed, Keys.U64(layerId)).Take(Batch).Select(e => e.Key).ToList();
        var layer = LayerTable.TryGet(txn, layerId);
        if (layer is not null && (layer.IsHead || layer.PinCount > 0)) return true; // still visible from the layer itself

        long removed = 0;
        foreach (var entry in entries)
        {
            txn.Delete(Db.GcShadowed, entry);
            if (layer is null) continue;
            var type = entry[8];
            var recordKey = entry.AsSpan(9).ToArray();
            if (!txn.Exists(LayerRecords.DatabaseOf(type), recordKey)) continue;
            if (VisibleBelow(txn, layerId, type, recordKey)) continue;

            LayerRecords.Drop(txn, type, recordKey);
            txn.Delete(Db.LayerIndex, entry);
            removed++;
        }
        if (layer is not null && removed > 0) LayerTable.Put(txn, layerId, layer with { RecordCount = layer.RecordCount - removed });
        Collected += removed;
        return entries.Count < Batch;
    }

    /// <summary>True if some live view below <paramref name="layerId"/> still sees its version of the record.</summary>
    private static bool VisibleBelow(MetaTxn txn, long layerId, byte type, byte[] recordKey)
    {
        var db = LayerRecords.DatabaseOf(type);
        var pending = new Stack<long>(LayerTable.Children(txn, layerId));
        while (pending.TryPop(out var child))
        {
            if (txn.Exists(db, LayerRecords.Relabel(type, recordKey, child))) continue; // this branch hides it
            var record = LayerTable.Get(txn, child);
            if (record.IsHead || record.PinCount > 0) return true;
            foreach (var grandchild in LayerTable.Children(txn, child)) pending.Push(grandchild);
        }
        return false;
    }
}
