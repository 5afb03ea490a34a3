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

    /// <summary>
    /// A generation's chunks for reading, checked against its record: every chunk but the last
    /// holds exactly <see cref="GenerationRecord.ChunkSize"/> bytes and together they hold
    /// <see cref="GenerationRecord.Size"/>. Readers locate a byte by that arithmetic, so a
    /// damaged record must be refused here rather than index past the chunk map later.
    /// </summary>
    public static ChunkRecord[] Layout(MetaTxn txn, long gen, GenerationRecord record)
    {
        var chunkSize = record.ChunkSize;
        var expectedCount = record.Size == 0 ? 0 : chunkSize <= 0 ? -1 : (record.Size + chunkSize - 1) / chunkSize;
        if (expectedCount != record.ChunkCount)
            throw new StoreCorruptedException($"Generation {gen} records {record.Size} bytes in {record.ChunkCount} chunks of {chunkSize} bytes.");
        var chunks = Chunks(txn, gen, record.ChunkCount);
        for (var i = 0; i < chunks.Length; i++)
        {
            var expected = i < chunks.Length - 1 ? chunkSize : record.Size - (long)i * chunkSize;
            if (chunks[i].Length != expected)
                throw new StoreCorruptedException($"Chunk {i} of generation {gen} records {chunks[i].Length} bytes where its layout needs {expected}.");
        }
        return chunks;
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
