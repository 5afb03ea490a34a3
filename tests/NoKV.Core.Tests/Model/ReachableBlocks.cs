using NoKV.Layers;

namespace NoKV.Tests.Model;

/// <summary>
/// What GC must keep, computed independently of GC: every file version any live workspace or
/// unreleased snapshot shows (found through the public List API, walking each tree from its
/// root), and the blocks those versions' chunks name (read from the chunk records).
/// </summary>
public static class ReachableBlocks
{
    /// <summary>The generations every live workspace and unreleased snapshot shows.</summary>
    public static HashSet<long> Generations(WorkspaceStore store)
    {
        var generations = new HashSet<long>();
        foreach (var ws in store.ListWorkspaces())
        {
            var workspace = store.OpenWorkspace(ws.Path);
            Collect(workspace.List, generations);
        }
        foreach (var pin in store.ListSnapshots()) Collect(pin.List, generations);
        return generations;
    }

    /// <summary>The keys of the blocks those generations read, sorted.</summary>
    public static List<string> Of(WorkspaceStore store)
    {
        var generations = Generations(store);
        var keys = store.Read(txn => generations
            .SelectMany(gen => GenerationTable.Chunks(txn, gen, GenerationTable.Get(txn, gen).ChunkCount))
            .Where(chunk => chunk.HasBlock) // inline and zero chunks have no block
            .Select(chunk => chunk.BlockKey)
            .ToHashSet(StringComparer.Ordinal));
        return keys.Order(StringComparer.Ordinal).ToList();
    }

    private static void Collect(Func<string, IReadOnlyList<NodeInfo>> list, HashSet<long> generations)
    {
        var pending = new Stack<string>(["/"]);
        while (pending.TryPop(out var dir))
        {
            foreach (var node in list(dir))
            {
                if (node.Kind == NodeKind.Directory) pending.Push(node.Path);
                else if (node.Kind == NodeKind.File) generations.Add(node.Generation); // a link has no generation
            }
        }
    }
}
