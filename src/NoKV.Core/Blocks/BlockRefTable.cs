using NoKV.Lmdb;

namespace NoKV.Blocks;

/// <summary>
/// How many generations use each block. A block starts used by the generation that minted it
/// (no entry: one); a generation that borrows it (an append or truncate keeping whole chunks)
/// adds one. A block is deleted when its count reaches zero, so a borrowed block lives exactly
/// as long as some generation uses it and no longer.
/// </summary>
internal static class BlockRefTable
{
    public static long Count(MetaTxn txn, ChunkRecord chunk) =>
        txn.Get(Db.BlockRefs, chunk.BlockRefKey) is { } value ? BitConverter.ToInt64(value) : 1;

    public static void AddBorrower(MetaTxn txn, ChunkRecord chunk) =>
        txn.Put(Db.BlockRefs, chunk.BlockRefKey, BitConverter.GetBytes(Count(txn, chunk) + 1));

    /// <summary>One user fewer; true when none is left and the block can be deleted.</summary>
    public static bool Release(MetaTxn txn, ChunkRecord chunk)
    {
        var count = Count(txn, chunk) - 1;
        if (count <= 0)
        {
            txn.Delete(Db.BlockRefs, chunk.BlockRefKey);
            return true;
        }
        txn.Put(Db.BlockRefs, chunk.BlockRefKey, BitConverter.GetBytes(count));
        return false;
    }

    /// <summary>
    /// True if blocks minted by <paramref name="gen"/> are still owned: the generation exists, or
    /// another generation still borrows one of its blocks (which outlive their minter then).
    /// Blocks of any other generation are orphans.
    /// </summary>
    public static bool MinterLive(MetaTxn txn, long gen) =>
        Layers.GenerationTable.TryGet(txn, gen) is not null || txn.First(Db.BlockRefs, Keys.U64(gen)) is not null;
}
