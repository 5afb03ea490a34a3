namespace NoKV.Blocks;

/// <summary>Deleting the blocks of a write that will never publish.</summary>
internal static class BlockCleanup
{
    /// <summary>
    /// Best effort: a block left behind is an orphan that GC reclaims (its pending record stays),
    /// never a torn file, and the error that ended the write matters more than this one.
    /// </summary>
    public static async Task DeleteQuietlyAsync(IBlockStore blocks, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            try { await blocks.DeleteAsync(key).ConfigureAwait(false); }
#pragma warning disable CA1031
            catch (Exception) { }
#pragma warning restore CA1031
        }
    }
}
