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
/// Layers reach the queue when they stop being a head or lose a pin or a child. Processing one
/// also wakes the versions parked under it (<see cref="ShadowQueue"/>), since what its views
/// needed may have changed, and, when only subtree snapshots and clones read through it, deletes
/// its records outside every one of their directories (nothing can ever see them again: a view
/// made later below it is rooted inside one of those directories) and queues its parent, which
/// may have lost its last whole-workspace view too. That costs a scan of the layer's records
/// each time one of its views goes, paid only by lineages whose whole-workspace views are gone.
/// </summary>
internal sealed class LayerCollector(MetaDb meta)
{
    private const int BatchRecords = 10_000;

    public long Collected { get; private set; }
    public long Merged { get; private set; }
    public long Pruned { get; private set; }

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
                if (layer is null || layer.IsHead)
                {
                    // A head's views change only by its own writes, which queue what they hide.
                    if (layer is null) ShadowQueue.Wake(txn, id);
                    txn.Delete(Db.GcLayers, Keys.U64(id));
                    return true;
                }
                layer = ReviewViews(txn, id, layer);
                if (layer.PinCount > 0 || layer.ChildCount > 1)
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

    /// <summary>
    /// Wakes what this layer's own views kept (unless a whole-workspace pin on it still needs
    /// everything it sees), and prunes what only subtree views read through it; returns the
    /// layer record as it now is.
    /// </summary>
    private LayerRecord ReviewViews(MetaTxn txn, long id, LayerRecord layer)
    {
        var views = LiveViews.Load(txn);
        if (!views.At(txn, id).Any(v => LiveViews.ShowsWholeWorkspace(txn, v))) ShadowQueue.Wake(txn, id);
        var viewers = views.AtOrBelow(txn, id);
        if (viewers.Count == 0 || viewers.Any(v => LiveViews.ShowsWholeWorkspace(txn, v))) return layer;

        var unneeded = txn.Scan(Db.LayerIndex, Keys.U64(id)).Select(e => e.Key).ToList()
            .Where(k => VersionNeeds.NeededBy(txn, viewers, id, k[8], k.AsSpan(9).ToArray()) == 0)
            .ToList(); // decided on the layer as it is, before any of it is deleted
        foreach (var indexKey in unneeded)
        {
            LayerRecords.Drop(txn, indexKey[8], indexKey.AsSpan(9).ToArray());
            txn.Delete(Db.LayerIndex, indexKey);
            ShadowQueue.Forget(txn, indexKey);
        }
        if (unneeded.Count > 0)
        {
            layer = layer with { RecordCount = layer.RecordCount - unneeded.Count };
            LayerTable.Put(txn, id, layer);
            Pruned += unneeded.Count;
        }
        if (layer.Parent != 0) LayerTable.MarkForGc(txn, layer.Parent);
        return layer;
    }

    private static bool IsDead(LayerRecord layer) => !layer.IsHead && layer.PinCount == 0 && layer.ChildCount == 0;

    private bool DeleteDeadLayer(MetaTxn txn, long id, LayerRecord layer)
    {
        var entries = txn.Scan(Db.LayerIndex, Keys.U64(id)).Take(BatchRecords).Select(e => e.Key).ToList();
        foreach (var indexKey in entries)
        {
            LayerRecords.Drop(txn, indexKey[8], indexKey.AsSpan(9).ToArray());
            txn.Delete(Db.LayerIndex, indexKey);
            ShadowQueue.Forget(txn, indexKey);
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
                ShadowQueue.Forget(txn, indexKey);
            }
            else
            {
                txn.Put(db, childKey, txn.Get(db, recordKey)!);
                txn.Delete(db, recordKey);
                txn.Put(Db.LayerIndex, Keys.LayerIndex(child, type, childKey), []);
                // A version queued or parked stays so under its new layer.
                ShadowQueue.Move(txn, indexKey, Keys.LayerIndex(child, type, childKey));
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
