namespace NoKV.Blocks;

/// <summary>
/// Whether a block store already holds NoKV blocks: evidence that a store lived here, asked only
/// when the metadata is missing or empty (creating a store, or damage) and before a full sweep of
/// a store that never wrote a block. Stops at the first block key, so it costs one LIST request on
/// S3 (one directory walk step locally). Keys NoKV did not write are ignored: GC never deletes them.
/// </summary>
internal static class BlockStoreEvidence
{
    /// <summary>The first NoKV block key in the store, or null if there is none.</summary>
    public static async Task<string?> FirstBlockKeyAsync(IBlockStore blocks, CancellationToken cancellationToken)
    {
        await foreach (var block in blocks.ListAsync("", cancellationToken).ConfigureAwait(false))
        {
            if (BlockKeys.TryParseGeneration(block.Key, out _)) return block.Key;
        }
        return null;
    }
}
