using NoKV.Lmdb;

namespace NoKV.Layers;

/// <summary>
/// Reference counts of file generations. Every inode record that names a generation holds one
/// reference; when the count reaches zero the generation is queued for GC, which deletes its
/// blocks. Counting (rather than marking) keeps GC proportional to the garbage.
/// </summary>
internal static class GenerationTable
{
    public static GenerationRecord? TryGet(MetaTxn txn, long gen)
    {
        var value = txn.Get(Db.Generations, Keys.Generation(gen));
        return value is null ? null : GenerationRecord.Decode(value);
    }

    public static GenerationRecord Get(MetaTxn txn, long gen) =>
        TryGet(txn, gen) ?? throw new StoreCorruptedException($"Generation {gen} is referenced but missing.");

    public static void Create(MetaTxn txn, long gen, GenerationRecord record, IReadOnlyList<ChunkRecord> chunks)
    {
        txn.Put(Db.Generations, Keys.Generation(gen), record.Encode());
        for (var i = 0; i < chunks.Count; i++) txn.Put(Db.Chunks, Keys.Chunk(gen, i), chunks[i].Encode());
    }

    public static void AddRef(MetaTxn txn, long gen)
    {
        var record = Get(txn, gen);
        txn.Put(Db.Generations, Keys.Generation(gen), (record with { RefCount = record.RefCount + 1 }).Encode());
    }

    public static void Release(MetaTxn txn, long gen)
    {
        var record = Get(txn, gen);
        var count = record.RefCount - 1;
        if (count < 0) throw new StoreCorruptedException($"Generation {gen} was released more often than referenced.");
        txn.Put(Db.Generations, Keys.Generation(gen), (record with { RefCount = count }).Encode());
        if (count == 0) txn.Put(Db.GcGenerations, Keys.Generation(gen), []);
    }

    public static ChunkRecord[] Chunks(MetaTxn txn, long gen, int count)
    {
        var chunks = new ChunkRecord[count];
        for (var i = 0; i < count; i++)
        {
            var value = txn.Get(Db.Chunks, Keys.Chunk(gen, i)) ?? throw new StoreCorruptedException($"Chunk {i} of generation {gen} is missing.");
            chunks[i] = ChunkRecord.Decode(value);
        }
        return chunks;
    }
}
