using System.Runtime.CompilerServices;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Engine;

/// <summary>
/// Namespace reads of one view (a workspace's head or a snapshot): by inode (lookup, getattr,
/// readdir from a position) for front ends that hold inode numbers, and by path, composed of
/// the same steps. Each call reads one consistent metadata snapshot.
/// </summary>
internal sealed class NamespaceQueries(WorkspaceStore store)
{
    /// <summary>How many entries one metadata read returns when a listing is enumerated.</summary>
    internal const int PageSize = 1024;

    public NodeAttributes? Lookup(Func<MetaTxn, View> viewOf, long parent, ReadOnlySpan<byte> name)
    {
        var copy = name.ToArray();
        using var op = store.Telemetry.Start(Diagnostics.StoreOperation.Stat);
        return op.Complete(store.Read(txn =>
        {
            var view = viewOf(txn);
            NamespaceTree.Directory(txn, view, parent);
            return NamespaceTree.Lookup(txn, view, parent, copy) is { } found ? NodeAttributes.Of(found.Ino, found.Record) : (NodeAttributes?)null;
        }));
    }

    public NodeAttributes GetAttributes(Func<MetaTxn, View> viewOf, long ino)
    {
        using var op = store.Telemetry.Start(Diagnostics.StoreOperation.Stat);
        return op.Complete(store.Read(txn =>
        {
            var view = viewOf(txn);
            var attributes = NodeAttributes.Of(ino, NamespaceTree.Node(txn, view, ino));
            // A view's root has no parent in the view (a clone's root keeps its source parent's inode).
            return ino == view.RootInode ? attributes with { Parent = 0 } : attributes;
        }));
    }

    public DirectoryPage ReadDirectory(Func<MetaTxn, View> viewOf, long directory, byte[]? after, int max)
    {
        using var op = store.Telemetry.Start(Diagnostics.StoreOperation.List);
        return op.Complete(store.Read(txn => NamespaceTree.ReadDirectory(txn, viewOf(txn), directory, after, max)));
    }

    public NodeInfo Stat(Func<MetaTxn, View> viewOf, string path)
    {
        var segments = PathRules.Split(path);
        var normalized = PathRules.Join(segments);
        using var op = store.Telemetry.Start(Diagnostics.StoreOperation.Stat);
        return op.Complete(store.Read(txn =>
        {
            var (ino, record) = NamespaceTree.Resolve(txn, viewOf(txn), segments, path);
            return NodeAttributes.Of(ino, record).ToNodeInfo(segments.Length == 0 ? "" : segments[^1], normalized);
        }));
    }

    public bool Exists(Func<MetaTxn, View> viewOf, string path) => store.Read(txn => NodeReader.Find(txn, viewOf(txn), path) is not null);

    /// <summary>A whole directory in one metadata snapshot, in ordinal name order.</summary>
    public IReadOnlyList<NodeInfo> List(Func<MetaTxn, View> viewOf, string directoryPath)
    {
        var segments = PathRules.Split(directoryPath, nameof(directoryPath));
        var normalized = PathRules.Join(segments);
        using var op = store.Telemetry.Start(Diagnostics.StoreOperation.List);
        return op.Complete<IReadOnlyList<NodeInfo>>(store.Read(txn =>
        {
            var view = viewOf(txn);
            var ino = NamespaceTree.ResolveDirectory(txn, view, segments, directoryPath);
            var result = new List<NodeInfo>();
            foreach (var (name, entry) in NodeReader.EnumerateChildren(txn, view, ino))
                result.Add(Describe(txn, view, normalized, name, entry.Child));
            result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return result;
        }));
    }

    /// <summary>
    /// A directory page by page (one metadata read per <see cref="PageSize"/> entries), in name
    /// (UTF-8 byte, i.e. code point) order: memory stays bounded for any directory size. Each page
    /// resumes after the last name, so an entry present throughout is listed exactly once.
    /// </summary>
    public async IAsyncEnumerable<NodeInfo> Enumerate(Func<MetaTxn, View> viewOf, string directoryPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var segments = PathRules.Split(directoryPath, nameof(directoryPath));
        var normalized = PathRules.Join(segments);
        var directory = store.Read(txn =>
        {
            var view = viewOf(txn);
            var ino = NamespaceTree.ResolveDirectory(txn, view, segments, directoryPath);
            return ino;
        });
        byte[]? after = null;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var position = after;
            var (page, next) = store.Read(txn =>
            {
                var view = viewOf(txn);
                var listed = NamespaceTree.ReadDirectory(txn, view, directory, position, PageSize, normalized);
                return (listed.Entries.Select(e => Describe(txn, view, normalized, e.Name, e.Inode)).ToList(), listed.Next);
            });
            foreach (var node in page) yield return node;
            after = next;
            await Task.Yield(); // a long listing never holds the caller's thread between pages
        }
        while (after is not null);
    }

    private static NodeInfo Describe(MetaTxn txn, View view, string directoryPath, byte[] nameBytes, long child)
    {
        var name = System.Text.Encoding.UTF8.GetString(nameBytes);
        var record = NodeReader.Inode(txn, view, child)
            ?? throw new StoreCorruptedException($"Entry '{name}' in '{directoryPath}' points to missing inode {child}.");
        return NodeAttributes.Of(child, record).ToNodeInfo(name, PathRules.Combine(directoryPath, name));
    }
}
