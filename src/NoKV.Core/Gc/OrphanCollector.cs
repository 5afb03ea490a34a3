using NoKV.Blocks;
using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>
/// Deletes blocks no published generation owns: those of write sessions that never published
/// (found through their pending records) and, in a full sweep, any block of an unknown
/// generation. A session still writing in this process is never touched; others only once
/// older than the grace period. The in-flight check comes before the metadata check, because a
/// session publishes before it stops being in flight.
/// </summary>
internal sealed class OrphanCollector(MetaDb meta, IBlockStore blocks, PendingGenerations pending, TimeSpan grace)
{
    public long Deleted { get; private set; }

    public async Task RunPendingAsync(CancellationToken cancellationToken)
    {
        var cutoff = DateTime.UtcNow - grace;
        var entries = meta.Read(txn => txn.Scan(Db.PendingGenerations, [])
            .Select(e => (Gen: Keys.ReadU64(e.Key), Record: PendingRecord.Decode(e.Value))).ToList());
        foreach (var (gen, record) in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (pending.IsInFlight(gen) || new DateTime(record.StartedUtcTicks, DateTimeKind.Utc) > cutoff) continue;
            // The same test as the full sweep: a generation whose record is gone may still mint
            // blocks other versions borrow (a published session's record never stays pending, but
            // a record that somehow did must not take borrowed blocks with it).
            if (!meta.Read(txn => BlockRefTable.MinterLive(txn, gen)))
            {
                await foreach (var block in blocks.ListAsync(record.BlockPrefix(gen), cancellationToken).ConfigureAwait(false))
                {
                    if (await blocks.DeleteAsync(block.Key, cancellationToken).ConfigureAwait(false)) Deleted++;
                }
            }
            meta.Write(txn => txn.Delete(Db.PendingGenerations, Keys.Generation(gen)), CommitMode.Ordered);
        }
    }

    public async Task RunFullSweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = DateTime.UtcNow - grace;
        var candidates = new List<(string Key, long Gen)>();
        await foreach (var block in blocks.ListAsync("", cancellationToken).ConfigureAwait(false))
        {
            if (block.LastModifiedUtc > cutoff) continue;
            if (!BlockKeys.TryParseGeneration(block.Key, out var gen)) continue; // not a key NoKV wrote: leave it alone
            if (pending.IsInFlight(gen)) continue;
            candidates.Add((block.Key, gen));
            if (candidates.Count >= 1024) await DeleteUnknownAsync(candidates, cancellationToken).ConfigureAwait(false);
        }
        await DeleteUnknownAsync(candidates, cancellationToken).ConfigureAwait(false);
        // By capability, never by concrete type: a decorated store keeps its housekeeping.
        if (blocks is IBlockStoreMaintenance maintenance)
            Deleted += (await maintenance.RunMaintenanceAsync(grace, cancellationToken).ConfigureAwait(false)).LeftoversDeleted;
    }

    private async Task DeleteUnknownAsync(List<(string Key, long Gen)> candidates, CancellationToken cancellationToken)
    {
        var unknown = meta.Read(txn => candidates.Where(c => !BlockRefTable.MinterLive(txn, c.Gen)).ToList());
        foreach (var (key, gen) in unknown)
        {
            if (await blocks.DeleteAsync(key, cancellationToken).ConfigureAwait(false)) Deleted++;
            meta.Write(txn => txn.Delete(Db.PendingGenerations, Keys.Generation(gen)), CommitMode.Ordered);
        }
        candidates.Clear();
    }
}
