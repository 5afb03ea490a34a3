using NoKV.Lmdb;

namespace NoKV.Layers;

/// <summary>Reads and writes layer records and builds ancestor chains.</summary>
internal static class LayerTable
{
    public static LayerRecord Get(MetaTxn txn, long id)
    {
        var value = txn.Get(Db.Layers, Keys.U64(id)) ?? throw new StoreCorruptedException($"Layer {id} is referenced but missing.");
        return LayerRecord.Decode(value);
    }

    public static LayerRecord? TryGet(MetaTxn txn, long id)
    {
        var value = txn.Get(Db.Layers, Keys.U64(id));
        return value is null ? null : LayerRecord.Decode(value);
    }

    public static void Put(MetaTxn txn, long id, LayerRecord record) => txn.Put(Db.Layers, Keys.U64(id), record.Encode());

    /// <summary>Creates a new layer under <paramref name="parent"/> (0 for a root layer).</summary>
    public static long Create(MetaTxn txn, long parent, long headOf)
    {
        var id = Counters.Next(txn, Counters.Layer);
        Put(txn, id, new LayerRecord(parent, headOf, 0, 0, 0));
        if (parent != 0)
        {
            var p = Get(txn, parent);
            Put(txn, parent, p with { ChildCount = p.ChildCount + 1 });
            txn.Put(Db.LayerChildren, Keys.Pair(parent, id), []);
        }
        return id;
    }

    public static IEnumerable<long> Children(MetaTxn txn, long parent) =>
        txn.Scan(Db.LayerChildren, Keys.U64(parent)).Select(e => Keys.ReadU64(e.Key, 8)).ToList();

    public static long[] Chain(MetaTxn txn, long leaf) => txn.Chains.Get(txn, leaf);

    public static View ViewOf(MetaTxn txn, long leaf, long rootInode) => new(Chain(txn, leaf), rootInode);

    /// <summary>Queues a layer for the garbage collector to look at (dead, unpinned or mergeable).</summary>
    public static void MarkForGc(MetaTxn txn, long id) => txn.Put(Db.GcLayers, Keys.U64(id), []);
}
