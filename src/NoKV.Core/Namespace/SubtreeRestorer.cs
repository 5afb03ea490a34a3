using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Namespace;

/// <summary>
/// Makes paths in a workspace head equal to another view (a snapshot for subtree rollback, a
/// fork for promote), in the caller's transaction: for every top-most path, the head's node is
/// deleted and the source's node copied in (its records, not its bytes: copied files reference
/// the same generations). A restored node keeps its inode
/// unless that inode is still linked elsewhere in the workspace (moved out of the subtree),
/// in which case it gets a fresh one, so no inode ever has two parents.
/// </summary>
/// <remarks>
/// Times: a rollback (<paramref name="asNewChanges"/> false) makes the paths exactly what the
/// snapshot shows, times included. A promote (true) applies the fork's changes as new changes
/// to the target, as a POSIX file system would: every node it writes gets a change time of
/// now (keeping the fork's modification time of its content), and every directory whose entries
/// it adds or removes gets modification and change times of now; no time moves backwards.
/// </remarks>
internal sealed class SubtreeRestorer(MetaTxn txn, HeadWriter writer, View snapshot, Func<long> newInode, bool asNewChanges = false)
{
    private readonly View _head = writer.View;

    /// <summary>Restores the subtree rooted at <paramref name="target"/> (same inode in both views).</summary>
    public void Restore(long target)
    {
        var headSubtree = _head.WithRoot(target);
        var changes = new DiffEngine(txn, snapshot, headSubtree).Run();
        ReplacePaths(target, changes.Select(c => c.Path));
    }

    /// <summary>
    /// Makes each path (relative to <paramref name="target"/>, which the source view's root also
    /// names) in the head exactly what the source shows: the top-most paths are replaced with
    /// their whole subtrees. Used by subtree rollback (source: a snapshot) and promote (a fork).
    /// </summary>
    public void ReplacePaths(long target, IEnumerable<string> paths)
    {
        var headSubtree = _head.WithRoot(target);
        // A directory in both views keeps its object and entries and takes the source's
        // attributes: its entries that differ are paths of their own. Anything else is replaced
        // whole, with everything below it.
        var attributesOnly = new Dictionary<string, (long Ino, InodeRecord Record, InodeRecord Source)>(StringComparer.Ordinal);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (NodeReader.Find(txn, headSubtree, path) is { Record.IsDirectory: true } head && NodeReader.Find(txn, snapshot, path) is { Record.IsDirectory: true } source)
                attributesOnly[path] = (head.Ino, head.Record, source.Record);
            else
                replaced.Add(path);
        }
        var topMost = replaced.Where(p => !Ancestors(p).Any(replaced.Contains)).Order(StringComparer.Ordinal).ToList();

        // Delete everything first, so inodes that moved within the subtree are free to return.
        var changedDirectories = new HashSet<long>();
        foreach (var path in topMost)
        {
            // A path below a file or link on either side names nothing there (the restorer never
            // follows a link): with preferred targets a fork's removal can lie below its link.
            var node = NodeReader.Find(txn, headSubtree, path);
            if (node is not { } n) continue;
            DeleteNode(n.Ino, n.Record);
            changedDirectories.Add(n.Record.Parent);
        }
        foreach (var path in topMost)
        {
            var node = NodeReader.Find(txn, snapshot, path);
            if (node is null) continue;
            var segments = PathRules.Split(path);
            var (parent, _) = NodeReader.Resolve(txn, headSubtree, segments[..^1], path);
            RestoreNode(parent, PathRules.NameBytes(segments[^1]), node.Value.Ino, node.Value.Record);
            changedDirectories.Add(parent);
        }
        foreach (var (path, (ino, record, source)) in attributesOnly)
        {
            if (Ancestors(path).Any(replaced.Contains)) continue; // replaced with its ancestor
            var updated = record with { Mode = source.Mode, OwnerId = source.OwnerId, GroupId = source.GroupId };
            writer.PutInode(ino, asNewChanges
                ? updated.MetadataChanged()
                : updated with { ModifiedUtcTicks = source.ModifiedUtcTicks, ChangedUtcTicks = source.ChangedUtcTicks });
        }
        if (!asNewChanges) return;
        foreach (var directory in changedDirectories) Engine.NamespaceEdits.EntriesChanged(writer, directory);
    }

    /// <summary>
    /// True when <paramref name="path"/> is a directory in both views: making the head equal to
    /// the source there takes only the source's attributes, never replaces the subtree (its
    /// entries that differ are paths of their own). Promote plans and measures by the same rule.
    /// </summary>
    internal static bool TakesAttributesOnly(MetaTxn txn, View source, View head, string path) =>
        NodeReader.Find(txn, source, path) is { Record.IsDirectory: true } && NodeReader.Find(txn, head, path) is { Record.IsDirectory: true };

    internal static IEnumerable<string> Ancestors(string path)
    {
        for (var i = path.LastIndexOf('/'); i > 0; i = path.LastIndexOf('/', i - 1)) yield return path[..i];
    }

    private void DeleteNode(long ino, InodeRecord record)
    {
        if (record.IsDirectory)
        {
            foreach (var (name, entry) in NodeReader.Children(txn, _head, ino))
            {
                DeleteNode(entry.Child, NodeReader.Inode(txn, _head, entry.Child)!);
            }
        }
        writer.RemoveDentry(record.Parent, record.Name);
        writer.RemoveInode(ino);
    }

    private void RestoreNode(long parent, byte[] name, long ino, InodeRecord record)
    {
        var target = NodeReader.Inode(txn, _head, ino) is not null && NodeReader.PathOf(txn, _head.WithRoot(WorkspaceRoot()), ino) is not null
            ? newInode()
            : ino;
        var placed = record with { Parent = parent, Name = name };
        writer.PutInode(target, asNewChanges ? placed.MetadataChanged() : placed);
        writer.PutDentry(parent, name, new DentryRecord(target, record.Kind));
        if (!record.IsDirectory) return;
        foreach (var (childName, entry) in NodeReader.Children(txn, snapshot, ino))
        {
            RestoreNode(target, childName, entry.Child, NodeReader.Inode(txn, snapshot, entry.Child)!);
        }
    }

    private long _workspaceRoot;

    /// <summary>The workspace's root inode: the ancestor of the head's root with no parent.</summary>
    private long WorkspaceRoot()
    {
        if (_workspaceRoot != 0) return _workspaceRoot;
        var ino = _head.RootInode;
        for (var record = NodeReader.Inode(txn, _head, ino); record is { Parent: not 0 }; record = NodeReader.Inode(txn, _head, ino)) ino = record.Parent;
        return _workspaceRoot = ino;
    }
}
