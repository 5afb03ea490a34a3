using NoKV.Blocks;
using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>
/// Collects generations nothing references any more: each of their chunks gives up its block,
/// and blocks no generation uses are deleted. Blocks go first, metadata second: a crash in
/// between leaves the generation queued, and the next run repeats the deletes (a missing block
/// is fine). A block whose count is one can gain no new user (only a live generation can lend
/// it), so deciding in one snapshot and applying in the next transaction is safe, as long as
/// each generation's plan is read after the previous generation's commit. Generations
/// an open read stream or edit session leases are skipped. Only generations whose death is
/// durable lose blocks (see the flush in <see cref="RunAsync"/>).
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
                .ToList());
            if (batch.Count == 0) return;
            // With deferred durability a generation may have died in a batch not yet committed; a
            // crash would bring it back to life without its blocks. So its death is made durable
            // before any of its blocks is deleted (a no-op when every write is durable already).
            meta.Flush();

            foreach (var gen in batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Read each plan after the previous generation's commit: two dead generations can
                // share a block, and only the second one to go may delete it.
                var (record, chunks, dying) = meta.Read(txn =>
                {
                    var record = GenerationTable.TryGet(txn, gen);
                    var chunks = record is { RefCount: 0 } ? GenerationTable.Chunks(txn, gen, record.ChunkCount) : [];
                    return (record, chunks, chunks.Where(c => c.HasBlock && BlockRefTable.Count(txn, c) == 1).ToList());
                });
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
                    foreach (var chunk in dying)
                    {
                        if (await blocks.DeleteAsync(chunk.BlockKey, cancellationToken).ConfigureAwait(false))
                        {
                            BlocksDeleted++;
                            BytesReclaimed += chunk.Length;
                        }
                    }
                    meta.Write(txn =>
                    {
                        for (var i = 0; i < chunks.Length; i++)
                        {
                            if (chunks[i].HasBlock) BlockRefTable.Release(txn, chunks[i]);
                            txn.Delete(Db.Chunks, Keys.Chunk(gen, i));
                        }
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
