using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Engine;

/// <summary>
/// The inode-level reads every operation is built from, inside one metadata transaction: a
/// directory by inode, a name in a directory, an inode's record, a directory's entries from a
/// position, and a path resolved to its parent directory. Path operations compose these, so
/// "resolve the parent and make sure it is a directory" exists once.
/// </summary>
internal static class NamespaceTree
{
    /// <summary>An inode's current record in the view.</summary>
    /// <exception cref="PathNotFoundException">The inode is not visible in the view (deleted, never existed, or outside the view's root).</exception>
    public static InodeRecord Node(MetaTxn txn, View view, long ino, string? displayPath = null)
    {
        var record = NodeReader.Inode(txn, view, ino);
        return record is not null && BelowRoot(txn, view, ino) ? record : throw new PathNotFoundException(displayPath ?? InodeName(ino));
    }

    /// <summary>
    /// True when <paramref name="ino"/> lies in the view's tree. A view rooted at a directory
    /// inside a workspace (a clone or snapshot of a directory) shares that workspace's layers, so
    /// every inode of the workspace is stored on its chain; only those below its root are in the
    /// view. A view rooted at a workspace root (no parent) holds nothing else, and skips the
    /// O(depth) walk.
    /// </summary>
    private static bool BelowRoot(MetaTxn txn, View view, long ino) =>
        ino == view.RootInode
        || NodeReader.Inode(txn, view, view.RootInode) is not { Parent: not 0 }
        || NodeReader.PathOf(txn, view, ino) is not null;

    /// <summary>An inode that must be a directory.</summary>
    /// <exception cref="NotADirectoryException">It is a file.</exception>
    public static InodeRecord Directory(MetaTxn txn, View view, long ino, string? displayPath = null)
    {
        var record = Node(txn, view, ino, displayPath);
        return record.IsDirectory ? record : throw new NotADirectoryException(displayPath ?? InodeName(ino), NodeAttributes.KindOf(record.Kind));
    }

    /// <summary>The child named <paramref name="name"/> in directory <paramref name="parent"/>, or null.</summary>
    public static (long Ino, InodeRecord Record)? Lookup(MetaTxn txn, View view, long parent, ReadOnlySpan<byte> name, string? displayPath = null)
    {
        var entry = NodeReader.Dentry(txn, view, parent, name.ToArray());
        if (entry is null) return null;
        var record = NodeReader.Inode(txn, view, entry.Child)
            ?? throw new StoreCorruptedException($"The entry '{displayPath ?? System.Text.Encoding.UTF8.GetString(name)}' points to missing inode {entry.Child}.");
        return (entry.Child, record);
    }

    /// <summary>Up to <paramref name="max"/> entries of a directory after position <paramref name="after"/>.</summary>
    public static DirectoryPage ReadDirectory(MetaTxn txn, View view, long directory, byte[]? after, int max, string? displayPath = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        Directory(txn, view, directory, displayPath);
        // A position from a client may hold a NUL, which no name does: every name after
        // "p\0..." is a name after "p", and only the NUL-free prefix can be encoded as a key.
        if (after is not null && Array.IndexOf(after, (byte)0) is var nul and >= 0) after = after[..nul];
        var entries = new List<DirectoryEntry>();
        foreach (var (name, entry) in NodeReader.EnumerateChildren(txn, view, directory, after))
        {
            if (entries.Count == max) return new DirectoryPage(entries, entries[^1].Name);
            entries.Add(new DirectoryEntry(name, entry.Child, NodeAttributes.KindOf(entry.Kind)));
        }
        return new DirectoryPage(entries, null);
    }

    /// <summary>The inode at a path.</summary>
    /// <exception cref="PathNotFoundException">Nothing is at the path.</exception>
    /// <exception cref="NotADirectoryException">A segment other than the last names a file.</exception>
    public static (long Ino, InodeRecord Record) Resolve(MetaTxn txn, View view, string[] segments, string displayPath) =>
        NodeReader.Resolve(txn, view, segments, displayPath);

    /// <summary>The directory at a path.</summary>
    /// <exception cref="PathNotFoundException">Nothing is at the path.</exception>
    /// <exception cref="NotADirectoryException">It, or a segment above it, is a file.</exception>
    public static long ResolveDirectory(MetaTxn txn, View view, string[] segments, string displayPath)
    {
        var (ino, record) = NodeReader.Resolve(txn, view, segments, displayPath);
        return record.IsDirectory ? ino : throw new NotADirectoryException(displayPath, NodeAttributes.KindOf(record.Kind));
    }

    /// <summary>The directory that holds (or would hold) the last segment of a path.</summary>
    /// <exception cref="PathNotFoundException">The parent does not exist.</exception>
    /// <exception cref="NotADirectoryException">The parent, or a segment above it, is a file.</exception>
    public static long ResolveParent(MetaTxn txn, View view, string[] segments)
    {
        return ResolveDirectory(txn, view, segments[..^1], PathRules.Join(segments[..^1]));
    }

    private static string InodeName(long ino) => $"inode {ino}";
}
