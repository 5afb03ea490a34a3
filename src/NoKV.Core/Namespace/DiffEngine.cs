using System.Text;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Namespace;

/// <summary>
/// Path-level diff of two views. When both share a root inode and a common ancestor layer, only
/// the records written on the two layer paths below that ancestor can make a path differ, so
/// the diff costs what changed: each changed key is mapped to its path in both views and that
/// path compared. Otherwise (unrelated trees) both trees are walked.
/// </summary>
/// <remarks>
/// A diff never drops a change silently: a changed node that lies below a view's root but
/// deeper or longer than any path may be (which only a store damaged, or written before the
/// limits were enforced on every operation, can hold) fails the diff, and so a promote, with
/// <see cref="StoreCorruptedException"/>.
/// </remarks>
internal sealed class DiffEngine(MetaTxn txn, View a, View b, CancellationToken cancellationToken = default)
{
    private readonly SortedDictionary<string, DeltaKind> _deltas = new(StringComparer.Ordinal);

    /// <param name="forceFullWalk">Walk both trees even where the fast path applies (tests compare the two).</param>
    public IReadOnlyList<SubtreeDelta> Run(bool forceFullWalk = false)
    {
        // The roots are the same path in both views, and no record scan names it as a candidate.
        if (NodeReader.Inode(txn, a, a.RootInode) is { } rootA && NodeReader.Inode(txn, b, b.RootInode) is { } rootB && !rootA.SameAttributes(rootB))
            _deltas["/"] = DeltaKind.Modified;
        var common = a.RootInode == b.RootInode && !forceFullWalk ? CommonAncestor() : 0;
        if (common == 0)
        {
            CompareDirectories("/", a.RootInode, b.RootInode);
        }
        else
        {
            foreach (var path in CandidatePaths(common))
            {
                cancellationToken.ThrowIfCancellationRequested();
                Compare(path, Lookup(a, path), Lookup(b, path), deep: false);
            }
        }
        return _deltas.Select(d => new SubtreeDelta(d.Key, d.Value)).ToList();
    }

    private long CommonAncestor()
    {
        foreach (var layer in a.Chain)
        {
            if (b.Contains(layer)) return layer;
        }
        return 0;
    }

    private SortedSet<string> CandidatePaths(long common)
    {
        var inodes = new HashSet<long>();
        var dentries = new HashSet<(long Parent, string Name)>();
        foreach (var layer in a.Chain.TakeWhile(l => l != common).Concat(b.Chain.TakeWhile(l => l != common)))
        {
            foreach (var (key, _) in txn.Scan(Db.LayerIndex, Keys.U64(layer)))
            {
                var recordKey = key.AsSpan(9);
                if (key[8] == Keys.IndexInode) inodes.Add(Keys.InodeIno(recordKey));
                else dentries.Add((Keys.DentryParent(recordKey), Encoding.UTF8.GetString(Keys.DentryName(recordKey))));
            }
        }

        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var view in new[] { a, b })
        {
            foreach (var ino in inodes)
            {
                var path = PathOf(view, ino);
                if (path is not null && path != "/") paths.Add(path);
            }
            foreach (var (parent, name) in dentries)
            {
                var parentPath = PathOf(view, parent);
                if (parentPath is not null) paths.Add(Checked(PathRules.Combine(parentPath, name)));
            }
        }
        return paths;
    }

    /// <summary>
    /// The path of an inode relative to the view's root, or null when the view's root does not
    /// reach it (deleted, or outside the subtree). Unlike a lookup that gives up past the depth
    /// limit, an inode the root reaches only through a path no one can name is an error: skipping
    /// it would hide a change.
    /// </summary>
    private string? PathOf(View view, long ino)
    {
        var names = new List<byte[]>();
        var current = ino;
        while (current != view.RootInode)
        {
            // Past the depth limit the inode is either outside the view (a clone of a directory
            // shares its source's layers, so a walk up can leave the clone's root and climb the
            // source's tree) or beyond the limits below the root: only the second is an error.
            if (names.Count > PathRules.MaxDepth)
                return ReachesRoot(view, current) ? throw Unnameable(ino, view, "is deeper than " + PathRules.MaxDepth + " segments") : null;
            var record = NodeReader.Inode(txn, view, current);
            if (record is null || record.Parent == 0) return null;
            var entry = NodeReader.Dentry(txn, view, record.Parent, record.Name);
            if (entry is null || entry.Child != current) return null;
            names.Add(record.Name);
            current = record.Parent;
        }
        names.Reverse();
        return Checked(PathRules.Join(names.Select(n => Encoding.UTF8.GetString(n))));
    }

    /// <summary>True when walking up from <paramref name="ino"/> meets the view's root; a cycle (only damage makes one) is an error.</summary>
    private bool ReachesRoot(View view, long ino)
    {
        var seen = new HashSet<long>();
        for (var current = ino; current != view.RootInode; )
        {
            if (!seen.Add(current)) throw Unnameable(ino, view, "lies on a cycle of parent links");
            var record = NodeReader.Inode(txn, view, current);
            if (record is null || record.Parent == 0) return false;
            var entry = NodeReader.Dentry(txn, view, record.Parent, record.Name);
            if (entry is null || entry.Child != current) return false;
            current = record.Parent;
        }
        return true;
    }

    private static StoreCorruptedException Unnameable(long ino, View view, string reason) =>
        new($"Inode {ino} in layer {view.Layer} {reason}: no path can name it, so the diff cannot report its changes. The store holds a node beyond the path limits.");

    /// <summary>A path the diff reports or looks up, held to the limits so that no change goes missing.</summary>
    private static string Checked(string path)
    {
        var depth = 0;
        foreach (var c in path) if (c == '/') depth++;
        var reason = PathRules.LimitBroken(depth, Encoding.UTF8.GetByteCount(path));
        if (reason is null) return path;
        var shown = path.Length > 200 ? path[..100] + "…" + path[^100..] : path;
        throw new StoreCorruptedException($"The diff reached '{shown}', which {reason}: no path can name it, so the diff cannot report its changes. The store holds a node beyond the path limits.");
    }

    private (long Ino, InodeRecord Record)? Lookup(View view, string path) => NodeReader.Find(txn, view, path);

    private void Compare(string path, (long Ino, InodeRecord Record)? left, (long Ino, InodeRecord Record)? right, bool deep)
    {
        if (left is null && right is null) return;
        if (left is null)
        {
            Report(path, DeltaKind.Added, b, right!.Value);
            return;
        }
        if (right is null)
        {
            Report(path, DeltaKind.Removed, a, left.Value);
            return;
        }

        var (l, r) = (left.Value, right.Value);
        if (l.Record.Kind != r.Record.Kind)
        {
            _deltas[Checked(path)] = DeltaKind.Modified;
            if (l.Record.IsDirectory) ReportChildren(path, DeltaKind.Removed, a, l.Ino);
            if (r.Record.IsDirectory) ReportChildren(path, DeltaKind.Added, b, r.Ino);
        }
        else if (!l.Record.IsDirectory)
        {
            // A rewrite mints a new generation, so equal bytes written again still show as
            // Modified; so does a new mode, owner or link target. A new time alone does not.
            if (l.Record.Generation != r.Record.Generation || !l.Record.SameAttributes(r.Record)) _deltas[Checked(path)] = DeltaKind.Modified;
        }
        else
        {
            // A directory is Modified only by its own attributes; its entries are paths of their own.
            if (!l.Record.SameAttributes(r.Record)) _deltas[Checked(path)] = DeltaKind.Modified;
            // Same directory object: changes below it are candidates of their own. A different
            // object at the same path (deleted and recreated) is compared entry by entry.
            if (deep || l.Ino != r.Ino) CompareDirectories(path, l.Ino, r.Ino);
        }
    }

    private void CompareDirectories(string path, long left, long right)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var leftChildren = NodeReader.Children(txn, a, left).ToDictionary(c => Encoding.UTF8.GetString(c.Name), c => c.Entry.Child, StringComparer.Ordinal);
        var rightChildren = NodeReader.Children(txn, b, right).ToDictionary(c => Encoding.UTF8.GetString(c.Name), c => c.Entry.Child, StringComparer.Ordinal);
        foreach (var name in leftChildren.Keys.Union(rightChildren.Keys))
        {
            Compare(PathRules.Combine(path, name), Node(a, leftChildren, name), Node(b, rightChildren, name), deep: true);
        }
    }

    private (long, InodeRecord)? Node(View view, Dictionary<string, long> children, string name)
    {
        if (!children.TryGetValue(name, out var ino)) return null;
        var record = NodeReader.Inode(txn, view, ino) ?? throw new StoreCorruptedException($"Directory entry '{name}' points to missing inode {ino}.");
        return (ino, record);
    }

    private void Report(string path, DeltaKind kind, View view, (long Ino, InodeRecord Record) node)
    {
        _deltas[Checked(path)] = kind;
        if (node.Record.IsDirectory) ReportChildren(path, kind, view, node.Ino);
    }

    private void ReportChildren(string path, DeltaKind kind, View view, long directory)
    {
        foreach (var (name, entry) in NodeReader.Children(txn, view, directory))
        {
            var childPath = PathRules.Combine(path, Encoding.UTF8.GetString(name));
            _deltas[Checked(childPath)] = kind;
            if (entry.Kind == RecordKind.Directory) ReportChildren(childPath, kind, view, entry.Child);
        }
    }
}
