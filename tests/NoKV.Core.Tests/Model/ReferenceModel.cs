using NoKV.Lmdb;

namespace NoKV.Tests.Model;

/// <summary>
/// A file, directory or symbolic link in the model. Version models NoKV's generation: every write
/// mints a new one. New nodes get NoKV's defaults: 0644 files, 0755 directories, 0777 links,
/// owned by this process's effective uid and gid; their times are known only as far as the
/// runner can predict them (<see cref="ModelTime"/>).
/// </summary>
public sealed record ModelNode(NodeKind Kind, byte[]? Data, long Version)
{
    public UnixFileMode Mode { get; init; } = DefaultMode(Kind);
    public long OwnerId { get; init; } = ProcessIdentity.User;
    public long GroupId { get; init; } = ProcessIdentity.Group;

    /// <summary>A link's target exactly as created; null for a file or directory.</summary>
    public string? LinkTarget { get; init; }

    public ModelTime LastWriteTime { get; init; } = ModelTime.Unknown;
    public ModelTime ChangeTime { get; init; } = ModelTime.Unknown;

    /// <summary>What NodeInfo.Length must say: a file's size, a link target's UTF-8 length, 0 for a directory.</summary>
    public long Length => Kind switch
    {
        NodeKind.File => Data!.Length,
        NodeKind.SymbolicLink => System.Text.Encoding.UTF8.GetByteCount(LinkTarget!),
        _ => 0,
    };

    public static UnixFileMode DefaultMode(NodeKind kind) => kind switch
    {
        NodeKind.Directory => (UnixFileMode)0x1ED, // 0755
        NodeKind.SymbolicLink => (UnixFileMode)0x1FF, // 0777
        _ => (UnixFileMode)0x1A4, // 0644
    };

    /// <summary>Kind, mode, owner, group and link target: what a diff compares besides a file's version (never times).</summary>
    public bool SameAttributes(ModelNode other) =>
        Kind == other.Kind && Mode == other.Mode && OwnerId == other.OwnerId && GroupId == other.GroupId && LinkTarget == other.LinkTarget;

    /// <summary>What a diff reports as Modified between two nodes at the same path.</summary>
    public bool DiffersFrom(ModelNode other) => !SameAttributes(other) || (Kind == NodeKind.File && Version != other.Version);
}

/// <summary>
/// What the model knows about a time: exactly its ticks (set by SetLastWriteTime, or read back
/// from the store after a step and then expected to stay), at least some ticks (changed by a step
/// that started then), or nothing.
/// </summary>
public readonly record struct ModelTime(long Ticks, bool Exact)
{
    public static readonly ModelTime Unknown = new(long.MinValue, false);

    public static ModelTime Exactly(long ticks) => new(ticks, true);

    public static ModelTime AtLeast(long ticks) => new(ticks, false);

    public bool Admits(DateTimeOffset actual) => Exact ? actual.UtcTicks == Ticks : actual.UtcTicks >= Ticks;

    public override string ToString() => Ticks == long.MinValue && !Exact ? "unknown" : $"{(Exact ? "=" : ">=")}{new DateTime(Math.Max(Ticks, 0), DateTimeKind.Utc):O}";
}

/// <summary>A tree as a map from path to node; the root "/" is not in the map, its attributes are <see cref="Root"/>.</summary>
public sealed class ModelTree
{
    public SortedDictionary<string, ModelNode> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>The root directory's own attributes (a workspace's root, or the directory a subtree view is rooted at).</summary>
    public ModelNode Root { get; set; } = new(NodeKind.Directory, null, 0);

    public ModelTree Copy()
    {
        var copy = new ModelTree { Root = Root };
        foreach (var (path, node) in Nodes) copy.Nodes[path] = node;
        return copy;
    }

    /// <summary>The node at a path, the root included.</summary>
    public ModelNode At(string path) => path == "/" ? Root : Nodes[path];

    /// <summary>Replaces the node at a path, the root included.</summary>
    public void Set(string path, ModelNode node)
    {
        if (path == "/") Root = node;
        else Nodes[path] = node;
    }

    public bool IsFile(string path) => Nodes.TryGetValue(path, out var n) && n.Kind == NodeKind.File;
    public bool IsLink(string path) => Nodes.TryGetValue(path, out var n) && n.Kind == NodeKind.SymbolicLink;
    public bool IsDir(string path) => path == "/" || (Nodes.TryGetValue(path, out var n) && n.Kind == NodeKind.Directory);
    public bool Exists(string path) => path == "/" || Nodes.ContainsKey(path);
    public bool HasChildren(string dir) => Nodes.Keys.Any(k => Parent(k) == dir);

    public List<string> Subtree(string path) => Nodes.Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal)).ToList();

    /// <summary>The subtree below a directory, with paths relative to it (what a snapshot or clone of the directory reads).</summary>
    public ModelTree SubtreeAt(string dir)
    {
        var subtree = new ModelTree { Root = Nodes[dir] };
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
    /// segment (a missing segment: not found; going through a file or a link: not a directory), or null.
    /// </summary>
    public Type? ResolveError(string path) => ResolveRefusal(path)?.Type;

    /// <summary><see cref="ResolveError"/> with the kind of the node a path went through, where that is the error.</summary>
    public Refusal? ResolveRefusal(string path)
    {
        if (path == "/") return null;
        NodeKind? previous = null;
        foreach (var prefix in Prefixes(path))
        {
            if (previous is { } kind and not NodeKind.Directory) return new(typeof(NotADirectoryException), kind);
            if (!Nodes.TryGetValue(prefix, out var node)) return new(typeof(PathNotFoundException));
            previous = node.Kind;
        }
        return null;
    }

    /// <summary>
    /// The path-level diff NoKV must report: Added, Removed, or Modified (kind, a file's version,
    /// mode, owner, group or link target differs; never a time alone). The roots are compared by
    /// their attributes ("/" Modified), a directory never by its entries.
    /// </summary>
    public static List<SubtreeDelta> Diff(ModelTree a, ModelTree b)
    {
        var result = new List<SubtreeDelta>();
        if (a.Root.DiffersFrom(b.Root)) result.Add(new("/", DeltaKind.Modified));
        foreach (var path in a.Nodes.Keys.Union(b.Nodes.Keys).Order(StringComparer.Ordinal))
        {
            var inA = a.Nodes.GetValueOrDefault(path);
            var inB = b.Nodes.GetValueOrDefault(path);
            if (inA is null) result.Add(new(path, DeltaKind.Added));
            else if (inB is null) result.Add(new(path, DeltaKind.Removed));
            else if (inA.DiffersFrom(inB)) result.Add(new(path, DeltaKind.Modified));
        }
        return result;
    }
}

/// <summary>A workspace: its tree and the inode of its root (shared by clones, which decides what it can roll back to).</summary>
public sealed class ModelWorkspace(ModelTree tree, long rootInode)
{
    public ModelTree Tree { get; set; } = tree;
    public long RootInode { get; } = rootInode;

    /// <summary>When it expires (UTC ticks of the store's clock); null: never.</summary>
    public long? ExpiresAt { get; set; }

    /// <summary>Every write into it is refused (its snapshots and clones are not).</summary>
    public bool ReadOnly { get; set; }

    /// <summary>The snapshot a clone took of its source: expiry releases it with the clone.</summary>
    public long? OriginPin { get; init; }
}

/// <summary>A snapshot: its tree (relative to its root) and the inode of its root directory, which decides what it can roll back.</summary>
public sealed class ModelPin(ModelTree tree, long rootInode, long id)
{
    public ModelTree Tree { get; } = tree;
    public long RootInode { get; } = rootInode;
    public long Id { get; } = id;
    public bool Released { get; set; }

    /// <summary>When it expires (UTC ticks of the store's clock); null: never.</summary>
    public long? ExpiresAt { get; set; }
}

/// <summary>A refusal the model predicts: the exception type, and for NotADirectory/NotAFile the kind actually found there.</summary>
public sealed record Refusal(Type Type, NodeKind? ActualKind = null)
{
    public static Refusal Of<T>(NodeKind? actualKind = null) where T : Exception => new(typeof(T), actualKind);
}
