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

    /// <summary>The subtree below a directory, with paths relative to it (what a snapshot or clone of the directory reads).</summary>
    public ModelTree SubtreeAt(string dir)
    {
        var subtree = new ModelTree();
        foreach (var (path, node) in Nodes)
        {
            if (path.StartsWith(dir + "/", StringComparison.Ordinal)) subtree.Nodes[path[dir.Length..]] = node;
        }
        return subtree;
    }

    /// <summary>Makes the subtree below a directory exactly <paramref name="content"/> (paths relative to the directory).</summary>
    public void ReplaceSubtree(string dir, ModelTree content)
    {
        foreach (var path in Subtree(dir).Where(p => p != dir)) Nodes.Remove(path);
        foreach (var (path, node) in content.Nodes) Nodes[dir + path] = node;
    }

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

/// <summary>A workspace: its tree and the inode of its root (shared by clones, which decides what it can roll back to).</summary>
public sealed class ModelWorkspace(ModelTree tree, long rootInode)
{
    public ModelTree Tree { get; set; } = tree;
    public long RootInode { get; } = rootInode;
}

/// <summary>A snapshot: its tree (relative to its root) and the inode of its root directory, which decides what it can roll back.</summary>
public sealed class ModelPin(ModelTree tree, long rootInode, long id)
{
    public ModelTree Tree { get; } = tree;
    public long RootInode { get; } = rootInode;
    public long Id { get; } = id;
    public bool Released { get; set; }
}
