using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Namespace;
using NoKV.Paths;

namespace NoKV.Engine;

/// <summary>
/// The namespace changes every front end is built from, by (directory inode, name), applied to a
/// workspace head inside one metadata transaction. Each checks everything first and changes
/// nothing when it throws. Error messages name paths: the caller's own where it has one,
/// otherwise the path the node has in the view.
/// </summary>
internal static class NamespaceEdits
{
    /// <summary>
    /// Creates a directory entry of <paramref name="kind"/> under a directory (a link with
    /// <paramref name="linkTarget"/>, already validated); returns the new inode.
    /// </summary>
    /// <exception cref="PathAlreadyExistsException">The name is taken.</exception>
    public static long Create(HeadWriter writer, IdAllocator ids, long parent, string name, RecordKind kind, long wsId, int chunkSize, byte[]? linkTarget = null)
    {
        var txn = writer.Txn;
        var view = writer.View;
        NamespaceTree.Directory(txn, view, parent);
        var path = ChildPath(txn, view, parent, name);
        var nameBytes = PathRules.NameBytes(name);
        if (NodeReader.Dentry(txn, view, parent, nameBytes) is not null) throw new PathAlreadyExistsException(path);
        return AddNode(writer, ids, parent, nameBytes, kind, wsId, chunkSize, linkTarget);
    }

    /// <summary>
    /// Writes a new node's records under a directory already checked, where the name is free,
    /// with the defaults of a new node (<see cref="InodeRecord.New"/>); the directory's
    /// modification time moves, as its entries changed.
    /// </summary>
    private static long AddNode(HeadWriter writer, IdAllocator ids, long parent, byte[] nameBytes, RecordKind kind, long wsId, int chunkSize, byte[]? linkTarget = null)
    {
        var txn = writer.Txn;
        var ino = ids.Next(txn);
        switch (kind)
        {
            case RecordKind.File:
                // An empty file is a generation with no chunks, like any file written with no bytes.
                var gen = ids.Next(txn);
                GenerationTable.Create(txn, gen, new GenerationRecord(0, wsId, ino, 0, chunkSize, 0), []);
                writer.PutInode(ino, InodeRecord.New(RecordKind.File, parent, nameBytes, gen));
                break;
            case RecordKind.SymbolicLink:
                var target = linkTarget ?? throw new ArgumentNullException(nameof(linkTarget));
                writer.PutInode(ino, InodeRecord.New(RecordKind.SymbolicLink, parent, nameBytes, size: target.Length, linkTarget: target));
                break;
            default:
                writer.PutInode(ino, InodeRecord.New(RecordKind.Directory, parent, nameBytes));
                break;
        }
        writer.PutDentry(parent, nameBytes, new DentryRecord(ino, kind));
        EntriesChanged(writer, parent);
        return ino;
    }

    /// <summary>
    /// A directory's entries changed (one added, removed or renamed): its modification and change
    /// times are now, as on a POSIX file system. A diff does not report a time alone.
    /// </summary>
    public static void EntriesChanged(HeadWriter writer, long directory)
    {
        if (NodeReader.Inode(writer.Txn, writer.View, directory) is { IsDirectory: true } record) writer.PutInode(directory, record.ContentChanged());
    }

    /// <summary>mkdir -p: the directory at <paramref name="segments"/>, created with any missing parents; returns its inode.</summary>
    /// <exception cref="NotADirectoryException">A file is in the way.</exception>
    public static long EnsureDirectory(HeadWriter writer, IdAllocator ids, string[] segments)
    {
        var txn = writer.Txn;
        var ino = writer.View.RootInode;
        for (var i = 0; i < segments.Length; i++)
        {
            var name = PathRules.NameBytes(segments[i]);
            var entry = NodeReader.Dentry(txn, writer.View, ino, name);
            if (entry is null)
            {
                // The walk checked this parent is a directory and the name is free.
                ino = AddNode(writer, ids, ino, name, RecordKind.Directory, 0, 0);
                continue;
            }
            if (entry.Kind != RecordKind.Directory) throw new NotADirectoryException(PathRules.Join(segments[..(i + 1)]), NodeAttributes.KindOf(entry.Kind));
            ino = entry.Child;
        }
        return ino;
    }

    /// <summary>Removes the entry <paramref name="name"/> from a directory, as <paramref name="mode"/> allows.</summary>
    /// <exception cref="PathNotFoundException">No such entry.</exception>
    /// <exception cref="NotAFileException">A directory, where only a file may be removed (unlink).</exception>
    /// <exception cref="NotADirectoryException">A file, where only a directory may be removed (rmdir).</exception>
    /// <exception cref="DirectoryNotEmptyException">A directory with entries, unless recursive.</exception>
    public static void Remove(HeadWriter writer, long parent, string name, RemoveMode mode, string? displayPath = null)
    {
        var txn = writer.Txn;
        var view = writer.View;
        NamespaceTree.Directory(txn, view, parent, displayPath is null ? null : ParentOf(displayPath));
        var (ino, record) = NamespaceTree.Lookup(txn, view, parent, PathRules.NameBytes(name))
            ?? throw new PathNotFoundException(displayPath ?? ChildPath(txn, view, parent, name));
        RemoveNode(writer, ino, record, mode, displayPath ?? ChildPath(txn, view, parent, name));
        EntriesChanged(writer, parent);
    }

    /// <summary>
    /// Renames <paramref name="name"/> in <paramref name="parent"/> to <paramref name="newName"/> in
    /// <paramref name="newParent"/>. An existing destination is an error unless
    /// <paramref name="replace"/>, and then, as POSIX rename does, a file replaces a file and a
    /// directory replaces an empty directory. Everything below a moved directory moves with it.
    /// </summary>
    /// <exception cref="InvalidMoveException">A directory into itself or its descendant.</exception>
    /// <exception cref="PathAlreadyExistsException">The destination exists and <paramref name="replace"/> is false.</exception>
    /// <exception cref="PathLimitExceededException">A node would land beyond the path limits.</exception>
    public static void Rename(HeadWriter writer, long parent, string name, long newParent, string newName, bool replace, string? fromDisplay = null, string? toDisplay = null)
    {
        var txn = writer.Txn;
        var view = writer.View;
        var from = fromDisplay ?? ChildPath(txn, view, parent, name);
        var to = toDisplay ?? ChildPath(txn, view, newParent, newName);
        NamespaceTree.Directory(txn, view, parent, fromDisplay is null ? null : ParentOf(fromDisplay));
        var (ino, record) = NamespaceTree.Lookup(txn, view, parent, PathRules.NameBytes(name)) ?? throw new PathNotFoundException(from);
        NamespaceTree.Directory(txn, view, newParent, toDisplay is null ? null : ParentOf(toDisplay));
        var newNameBytes = PathRules.NameBytes(newName);
        if (parent == newParent && name == newName) return;
        if (record.IsDirectory && IsSameOrBelow(txn, view, newParent, ino))
            throw new InvalidMoveException(from, to, "a directory cannot move into itself or its own descendant");

        var existing = NamespaceTree.Lookup(txn, view, newParent, newNameBytes);
        if (existing is { } target)
        {
            if (!replace) throw new PathAlreadyExistsException(to);
            if (record.IsDirectory && !target.Record.IsDirectory) throw new NotADirectoryException(to, NodeAttributes.KindOf(target.Record.Kind));
            if (!record.IsDirectory && target.Record.IsDirectory) throw new NotAFileException(to);
        }

        // Everything below a moved directory moves with it. Deeper or longer than where it was,
        // its subtree is walked (O(subtree)) so that no node lands beyond the limits.
        var fromSegments = PathRules.Split(from);
        var toSegments = PathRules.Split(to);
        if (!SubtreeFit.NoWalkNeeded(fromSegments, toSegments)) SubtreeFit.Ensure(txn, view, ino, record.IsDirectory, toSegments);

        if (existing is { } replaced) RemoveNode(writer, replaced.Ino, replaced.Record, RemoveMode.EmptyDirectoryOrFile, to);
        writer.RemoveDentry(record.Parent, record.Name);
        writer.PutDentry(newParent, newNameBytes, new DentryRecord(ino, record.Kind));
        // A rename keeps the node's modification time and moves its change time (as Linux does).
        writer.PutInode(ino, (record with { Parent = newParent, Name = newNameBytes }).MetadataChanged());
        EntriesChanged(writer, parent);
        if (newParent != parent) EntriesChanged(writer, newParent);
    }

    /// <summary>
    /// Sets a node's attributes (setattr, chmod, chown, touch): whichever <paramref name="change"/>
    /// names; the change time becomes now. Values are checked by the caller.
    /// </summary>
    /// <exception cref="OperationNotSupportedException">A mode for a symbolic link.</exception>
    public static InodeRecord SetAttributes(HeadWriter writer, long ino, AttributeChange change, string? displayPath = null)
    {
        var record = NamespaceTree.Node(writer.Txn, writer.View, ino, displayPath);
        if (change.Mode is not null && record.IsSymbolicLink)
        {
            throw new OperationNotSupportedException(displayPath ?? NodeReader.PathOf(writer.Txn, writer.View, ino) ?? $"inode {ino}",
                "a symbolic link has no mode of its own (Linux keeps every link 0777 and ignores it); set the mode of its target instead");
        }
        var updated = change.ApplyTo(record).MetadataChanged();
        writer.PutInode(ino, updated);
        return updated;
    }

    private static void RemoveNode(HeadWriter writer, long ino, InodeRecord record, RemoveMode mode, string path)
    {
        if (ino == writer.View.RootInode) throw new InvalidPathException(path, "the workspace root cannot be deleted; use WorkspaceStore.DeleteWorkspace");
        if (mode == RemoveMode.File && record.IsDirectory) throw new NotAFileException(path);
        if (mode == RemoveMode.EmptyDirectory && !record.IsDirectory) throw new NotADirectoryException(path, NodeAttributes.KindOf(record.Kind));
        if (record.IsDirectory && NodeReader.HasChildren(writer.Txn, writer.View, ino))
        {
            if (mode != RemoveMode.Recursive) throw new DirectoryNotEmptyException(path);
            RemoveChildren(writer, ino);
        }
        writer.RemoveDentry(record.Parent, record.Name);
        writer.RemoveInode(ino);
    }

    /// <summary>Removes a directory's whole subtree from the head, so nothing unreachable keeps blocks alive.</summary>
    private static void RemoveChildren(HeadWriter writer, long directory)
    {
        foreach (var (name, entry) in NodeReader.Children(writer.Txn, writer.View, directory))
        {
            if (entry.Kind == RecordKind.Directory) RemoveChildren(writer, entry.Child);
            writer.RemoveDentry(directory, name);
            writer.RemoveInode(entry.Child);
        }
    }

    /// <summary>True when <paramref name="ino"/> is <paramref name="ancestor"/> or lies below it (walks up: O(depth)).</summary>
    private static bool IsSameOrBelow(MetaTxn txn, View view, long ino, long ancestor)
    {
        for (var current = ino; ; )
        {
            if (current == ancestor) return true;
            if (current == view.RootInode) return false;
            var record = NodeReader.Inode(txn, view, current);
            if (record is null || record.Parent == 0) return false;
            current = record.Parent;
        }
    }

    /// <summary>
    /// The path a child named <paramref name="name"/> has (or would have) under a directory, for
    /// messages and limits: the name is checked to be one valid name, and the path to be within
    /// the limits. The parent must be reachable from the view's root.
    /// </summary>
    public static string ChildPath(MetaTxn txn, View view, long parent, string name)
    {
        var parentPath = NodeReader.PathOf(txn, view, parent) ?? throw new PathNotFoundException($"inode {parent}");
        var path = PathRules.Combine(parentPath, name);
        if (name.Contains('/', StringComparison.Ordinal)) throw new InvalidPathException(path, "a name cannot contain '/'", nameof(name));
        PathRules.ValidateName(name, path, nameof(name));
        string[] segments = [.. PathRules.Split(parentPath), name];
        if (PathRules.LimitBroken(segments.Length, PathRules.PathBytes(segments)) is { } reason) throw new PathLimitExceededException(path, reason);
        return path;
    }

    private static string ParentOf(string path) => PathRules.Join(PathRules.Split(path)[..^1]);
}

/// <summary>Attributes setattr changes: each one that is not null. Mode holds permission bits only (≤ 07777).</summary>
internal readonly record struct AttributeChange(int? Mode = null, uint? OwnerId = null, uint? GroupId = null, long? ModifiedUtcTicks = null)
{
    /// <summary>The record with the attributes this change names set (times otherwise untouched).</summary>
    public InodeRecord ApplyTo(InodeRecord record) => record with
    {
        Mode = Mode ?? record.Mode,
        OwnerId = OwnerId ?? record.OwnerId,
        GroupId = GroupId ?? record.GroupId,
        ModifiedUtcTicks = ModifiedUtcTicks ?? record.ModifiedUtcTicks,
    };
}

/// <summary>What <see cref="NamespaceEdits.Remove"/> may remove.</summary>
internal enum RemoveMode
{
    /// <summary>unlink: a file only.</summary>
    File,

    /// <summary>rmdir: an empty directory only.</summary>
    EmptyDirectory,

    /// <summary>A file, or an empty directory.</summary>
    EmptyDirectoryOrFile,

    /// <summary>A file, or a directory with everything below it.</summary>
    Recursive,
}
