using NoKV.Blocks;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>
/// Belt and braces for the full sweep, which deletes every block the metadata does not know: it
/// must never run on metadata that cannot vouch for the block store. Every block is named by a
/// generation id, and ids are handed out only under a durable id limit (<see cref="IdAllocator"/>),
/// so metadata whose id limit is still 0 has never written a block: if the block store holds NoKV
/// blocks anyway, they are another store's, or this store's metadata was lost, and the sweep is
/// refused. Cheap: a counter read, and a LIST that stops at the first block only for such metadata.
/// </summary>
internal static class FullSweepGuard
{
    public static async Task EnsureMetadataVouchesForBlocksAsync(MetaDb meta, IBlockStore blocks, CancellationToken cancellationToken)
    {
        if (meta.Read(txn => Counters.Current(txn, Counters.IdLimit)) > 0) return;
        var block = await BlockStoreEvidence.FirstBlockKeyAsync(blocks, cancellationToken).ConfigureAwait(false);
        if (block is null) return;
        throw new StoreCorruptedException(
            $"Refusing a full GC sweep: this store's metadata has never written a block, yet the block store holds NoKV blocks (such as '{block}'). " +
            "They belong to another store or to lost metadata; nothing was deleted.");
    }
}
