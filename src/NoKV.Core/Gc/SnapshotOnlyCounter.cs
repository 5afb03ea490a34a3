using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>
/// Counts the blocks that only snapshots keep alive: blocks of generations that no live
/// workspace reaches. Walks every workspace's tree, so it runs only in a full collection.
/// </summary>
internal static class SnapshotOnlyCounter
{
    public static long Count(MetaTxn txn)
    {
        var reachable = new HashSet<long>();
        foreach (var (_, value) in txn.Scan(Db.Workspaces, []))
        {
            var ws = WorkspaceRecord.Decode(value);
            foreach (var (_, record) in TreeWalker.Walk(txn, WorkspaceStore.HeadView(txn, ws)))
            {
                if (record.IsFile) reachable.Add(record.Generation);
            }
        }
        var liveBlocks = new HashSet<string>(StringComparer.Ordinal);
        var pinnedBlocks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in txn.Scan(Db.Generations, []))
        {
            var gen = GenerationRecord.Decode(value);
            if (gen.RefCount == 0) continue;
            var target = reachable.Contains(Keys.ReadU64(key)) ? liveBlocks : pinnedBlocks;
            foreach (var chunk in GenerationTable.Chunks(txn, Keys.ReadU64(key), gen.ChunkCount).Where(c => c.HasBlock)) target.Add(chunk.BlockKey);
        }
        pinnedBlocks.ExceptWith(liveBlocks);
        long blocks = pinnedBlocks.Count;
        return blocks;
    }
}
