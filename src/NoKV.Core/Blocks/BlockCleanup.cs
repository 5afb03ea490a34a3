using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Blocks;

/// <summary>Deleting the blocks of a write that will never publish.</summary>
internal static class BlockCleanup
{
    /// <summary>
    /// Best effort: a block left behind is an orphan that GC reclaims, never a torn file, and the
    /// error that ended the write matters more than this one. Returns true if every delete went
    /// through (a key that was never stored counts as deleted).
    /// </summary>
    public static async Task<bool> DeleteQuietlyAsync(IBlockStore blocks, IEnumerable<string> keys)
    {
        var all = true;
        foreach (var key in keys)
        {
            try { await blocks.DeleteAsync(key).ConfigureAwait(false); }
#pragma warning disable CA1031
            catch (Exception) { all = false; }
#pragma warning restore CA1031
        }
        return all;
    }

    /// <summary>
    /// Ends a write session that did not (knowingly) publish: if the metadata shows its generation
    /// after all — a commit that landed and then reported an error — the blocks are published and
    /// stay. Otherwise they are deleted, and the pending record goes only if all of them did; if
    /// not, or if the metadata cannot be read, the record stays and the orphan collector decides
    /// later, from the metadata, once the grace period has passed. All uploads must have finished.
    /// </summary>
    public static async Task DiscardUnpublishedAsync(MetaDb meta, IBlockStore blocks, PendingGenerations pending, long gen, IReadOnlyCollection<string> keys)
    {
        bool published;
        try
        {
            published = meta.Read(txn => GenerationTable.TryGet(txn, gen)) is not null;
        }
#pragma warning disable CA1031 // Unknown outcome: leaving the blocks is always safe.
        catch (Exception)
        {
            pending.Finished(gen);
            return;
        }
#pragma warning restore CA1031
        if (!published && keys.Count > 0 && await DeleteQuietlyAsync(blocks, keys).ConfigureAwait(false)) pending.Abandon(gen);
        else pending.Finished(gen);
    }
}
