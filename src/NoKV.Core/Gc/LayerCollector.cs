using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>
/// Shrinks the layer tree. A layer that is no workspace's head and carries no pin is
/// <list type="bullet">
/// <item>dead if it has no children: its records are deleted (releasing their generations);</item>
/// <item>mergeable if it has one child: its records move into the child, except those the
/// child shadows, which are deleted. This frees what only the shadowed versions held, and
/// keeps chains short.</item>
/// </list>
/// Layers reach the queue when they stop being a head or lose a pin or a child.
/// </summary>
internal sealed class LayerCollector(MetaDb meta)
{
    private const int BatchRecords = 10_000;

    public long Collected { get; private set; }
    public long Merged { get; private set; }

    public void Run()
    {
        while (true)
        {
            var queued = meta.Read(txn => txn.Scan(Db.GcLayers, []).Take(256).Select(e => Keys.ReadU64(e.Key)).ToList());
            if (queued.Count == 0) return;
            foreach (var id in queued) Process(id);
        }
    }

    private void Process(long id)
    {
        // Dead layers are deleted in batches: nothing can see them any more, so a partial
        // deletion is invisible. A merge runs in one transaction, so no view ever sees it half done.
        while (true)
        {
            long deadChild = 0;
            var done = meta.Write(txn =>
            {
                var layer = LayerTable.TryGet(txn, id);
                if (layer is null || layer.IsHead || layer.PinCount > 0 || layer.ChildCount > 1)
                {
                    txn.Delete(Db.GcLayers, Keys.U64(id));
                    return true;
                }
                if (layer.ChildCount == 1)
                {
                    var child = LayerTable.Children(txn, id).Single();
                    if (IsDead(LayerTable.Get(txn, child)))
                    {
                        // Moving records into a layer about to be deleted is wasted work:
                        // delete the child first; this layer is then dead itself.
                        deadChild = child;
                        return false;
                    }
                    MergeIntoChild(txn, id, child, layer);
                    return true;
                }
                return DeleteDeadLayer(txn, id, layer);
            });
            if (done) return;
            if (deadChild != 0) Process(deadChild);
        }
    }

    private static bool IsDead(LayerRecord layer) => !layer.IsHead && layer.PinCount == 0 && layer.ChildCount == 0;

    private bool DeleteDeadLayer(MetaTxn txn, long id, LayerRecord layer)
    {
        var entries = txn.Scan(Db.LayerIndex, Keys.U64(id)).Take(BatchRecords).Select(e => e.Key).ToList();
        foreach (var indexKey in entries)
        {
            LayerRecords.Drop(txn, indexKey[8], indexKey.AsSpan(9).ToArray());
            txn.Delete(Db.LayerIndex, indexKey);
        }
        if (entries.Count == BatchRecords) return false;

        txn.Delete(Db.Layers, Keys.U64(id));
        txn.Delete(Db.GcLayers, Keys.U64(id));
        if (layer.Parent != 0)
        {
            txn.Delete(Db.LayerChildren, Keys.Pair(layer.Parent, id));
            var parent = LayerTable.Get(txn, layer.Parent);
            LayerTable.Put(txn, layer.Parent, parent with { ChildCount = parent.ChildCount - 1 });
            LayerTable.MarkForGc(txn, layer.Parent);
        }
        Collected++;
        return true;
    }

    private void MergeIntoChild(MetaTxn txn, long id, long child, LayerRecord layer)
    {
        txn.Chains.Shortening(txn);
        long moved = 0;
        foreach (var (indexKey, _) in txn.Scan(Db.LayerIndex, Keys.U64(id)).ToList())
        {
            var type = indexKey[8];
            var recordKey = indexKey.AsSpan(9).ToArray();
            var childKey = LayerRecords.Relabel(type, recordKey, child);
            var db = LayerRecords.DatabaseOf(type);
            if (txn.Exists(db, childKey))
            {
                LayerRecords.Drop(txn, type, recordKey);
            }
            else
            {
                txn.Put(db, childKey, txn.Get(db, recordKey)!);
                txn.Delete(db, recordKey);
                txn.Put(Db.LayerIndex, Keys.LayerIndex(child, type, childKey), []);
                // A version queued as shadowed stays queued under its new layer.
                if (txn.Delete(Db.GcShadowed, indexKey)) txn.Put(Db.GcShadowed, Keys.LayerIndex(child, type, childKey), []);
                moved++;
            }
            txn.Delete(Db.LayerIndex, indexKey);
        }

        var childRecord = LayerTable.Get(txn, child);
        LayerTable.Put(txn, child, childRecord with { Parent = layer.Parent, RecordCount = childRecord.RecordCount + moved });
        txn.Delete(Db.LayerChildren, Keys.Pair(id, child));
        if (layer.Parent != 0)
        {
            txn.Delete(Db.LayerChildren, Keys.Pair(layer.Parent, id));
            txn.Put(Db.LayerChildren, Keys.Pair(layer.Parent, child), []);
        }
        txn.Delete(Db.Layers, Keys.U64(id));
        txn.Delete(Db.GcLayers, Keys.U64(id));
        LayerTable.MarkForGc(txn, child);
        Merged++;
    }
}
