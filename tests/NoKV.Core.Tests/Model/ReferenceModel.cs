namespace NoKV.Tests.Model;

/// <summary>A file or directory in the model. Version models NoKV's generation: every write mints a new one.</summary>
public sealed record ModelNode(NodeKind Kind, byte[]? Data, long Version);

/// <summary>A tree as a map from path to node (the root "/" is implicit).</summary>
public sealed class ModelTree
{
    public SortedDictionary<string, ModelNode> Nodes { get; } = new(StringComparer.Ordinal);

    public ModelTree Copy()
    {
        var copy = new ModelTree();
        foreach (var (path, node) in Nodes) copy.Nodes[path] = node;
        return copy;
    }

    public bool IsFile(string path) => Nodes.TryGetValue(path, out var n) && n.Kind == NodeKind.File;
    public bool IsDir(string path) => path == "/" || (Nodes.TryGetValue(path, out var n) && n.Kind == NodeKind.Directory);
    public bool Exists(string path) => path == "/" || Nodes.ContainsKey(path);
    public bool HasChildren(string dir) => Nodes.Keys.Any(k => Parent(k) == dir);

    public List<string> Subtree(string path) => Nodes.Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal)).ToList();

    public static string Parent(string path) => path.LastIndexOf('/') is var i && i == 0 ? "/" : path[..path.LastIndexOf('/')];

    public static IEnumerable<string> Prefixes(string path)
    {
        for (var i = path.IndexOf('/', 1); i > 0; i = path.IndexOf('/', i + 1)) yield return path[..i];
        yield return path;
    }

    /// <summary>
    /// The exception resolving <paramref name="path"/> raises, as NoKV resolves it segment by
    /// segment (a missing segment: not found; going through a file: not a directory), or null.
    /// </summary>
    public Type? ResolveError(string path)
    {
        if (path == "/") return null;
        var previousIsFile = false;
        foreach (var prefix in Prefixes(path))
        {
            if (previousIsFile) return typeof(NotADirectoryException);
            if (!Nodes.TryGetValue(prefix, out var node)) return typeof(PathNotFoundException);
            previousIsFile = node.Kind == NodeKind.File;
        }
        return null;
    }

    /// <summary>The path-level diff NoKV must report: Added, Removed, or Modified (kind or version differs).</summary>
    public static List<SubtreeDelta> Diff(ModelTree a, ModelTree b)
    {
        var result = new List<SubtreeDelta>();
        foreach (var path in a.Nodes.Keys.Union(b.Nodes.Keys).Order(StringComparer.Ordinal))
        {
            var inA = a.Nodes.GetValueOrDefault(path);
            var inB = b.Nodes.GetValueOrDefault(path);
            if (inA is null) result.Add(new(path, DeltaKind.Added));
            else if (inB is null) result.Add(new(path, DeltaKind.Removed));
            else if (inA.Kind != inB.Kind || (inA.Kind == NodeKind.File && inA.Version != inB.Version)) result.Add(new(path, DeltaKind.Modified));
        }
        return result;
    }
}

public sealed class ModelWorkspace(ModelTree tree, long lineage)
{
    public ModelTree Tree { get; set; } = tree;
    public long Lineage { get; } = lineage;
    public long RootInode { get; set; }
}

public sealed class ModelPin(ModelTree tree, long lineage, long id)
{
    public ModelTree Tree { get; } = tree;
    public long Lineage { get; } = lineage;
    public long Id { get; } = id;
    public bool Released { get; set; }
}
