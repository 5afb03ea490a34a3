using NoKV.Blocks;
using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>
/// Deletes the blocks of generations nothing references any more. Blocks go first, metadata
/// second: a crash in between leaves the generation queued, and the next run deletes what is
/// left (a missing block is fine). Generations an open read stream leases are skipped.
/// </summary>
internal sealed class GenerationCollector(MetaDb meta, IBlockStore blocks, GenerationLeases leases)
{
    public long Generations { get; private set; }
    public long BlocksDeleted { get; private set; }
    public long BytesReclaimed { get; private set; }
    public long InUse { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var skipped = new HashSet<long>();
        while (true)
        {
            var batch = meta.Read(txn => txn.Scan(Db.GcGenerations, [])
                .Select(e => Keys.ReadU64(e.Key))
                .Where(g => !skipped.Contains(g))
                .Take(512)
                .Select(g => (Gen: g, Record: GenerationTable.TryGet(txn, g)))
                .Select(x => (x.Gen, x.Record, Chunks: x.Record is { RefCount: 0 } ? GenerationTable.Chunks(txn, x.Gen, x.Record.ChunkCount) : []))
                .ToList());
            if (batch.Count == 0) return;

            foreach (var (gen, record, chunks) in batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (record is null || record.RefCount > 0)
                {
                    meta.Write(txn => txn.Delete(Db.GcGenerations, Keys.Generation(gen)));
                    continue;
                }
                if (!leases.TryCondemn(gen))
                {
                    skipped.Add(gen);
                    InUse++;
                    continue;
                }
                try
                {
                    for (var i = 0; i < chunks.Length; i++)
                    {
                        if (await blocks.DeleteAsync(BlockKeys.Of(record, gen, i), cancellationToken).ConfigureAwait(false))
                        {
                            BlocksDeleted++;
                            BytesReclaimed += chunks[i].Length;
                        }
                    }
                    meta.Write(txn =>
                    {
                        for (var i = 0; i < chunks.Length; i++) txn.Delete(Db.Chunks, Keys.Chunk(gen, i));
                        txn.Delete(Db.Generations, Keys.Generation(gen));
                        txn.Delete(Db.GcGenerations, Keys.Generation(gen));
                    });
                    Generations++;
                }
                finally
                {
                    leases.Forget(gen);
                }
            }
        }
    }
}
