using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Layers;

/// <summary>
/// Reads the versioned namespace as a view sees it: per key, the version from the nearest layer
/// on the view's chain; a tombstone there means "absent".
/// </summary>
internal static class NodeReader
{
    /// <summary>The version of an inode record a view sees, tombstones included: its layer and record; null if none.</summary>
    public static (long Layer, InodeRecord Record)? InodeVersion(MetaTxn txn, View view, long ino)
    {
        var entry = txn.FindFirstEntry(Db.Inodes, Keys.InodePrefix(ino), Keys.Inode(ino, view.Layer), key => view.Contains(Keys.InodeLayer(key)));
        return entry is { } e ? (Keys.InodeLayer(e.Key), InodeRecord.Decode(e.Value)) : null;
    }

    public static InodeRecord? Inode(MetaTxn txn, View view, long ino) =>
        InodeVersion(txn, view, ino) is { Record.Kind: not RecordKind.Tombstone } version ? version.Record : null;

    /// <summary>The version of a directory entry a view sees, tombstones included: its layer and record; null if none.</summary>
    public static (long Layer, DentryRecord Record)? DentryVersion(MetaTxn txn, View view, long parent, byte[] name)
    {
        var entry = txn.FindFirstEntry(Db.Dentries, Keys.DentryPrefix(parent, name), Keys.Dentry(parent, name, view.Layer), key => view.Contains(Keys.DentryLayer(key)));
        return entry is { } e ? (Keys.DentryLayer(e.Key), DentryRecord.Decode(e.Value)) : null;
    }

    public static DentryRecord? Dentry(MetaTxn txn, View view, long parent, byte[] name) =>
        DentryVersion(txn, view, parent, name) is { Record.Kind: not RecordKind.Tombstone } version ? version.Record : null;

    /// <summary>The visible entries of a directory, in name (UTF-8 byte) order.</summary>
    public static List<(byte[] Name, DentryRecord Entry)> Children(MetaTxn txn, View view, long parent) => EnumerateChildren(txn, view, parent).ToList();

    public static bool HasChildren(MetaTxn txn, View view, long parent) => EnumerateChildren(txn, view, parent).Any();

    /// <summary>
    /// The visible entries of a directory in name (UTF-8 byte) order, starting after the name
    /// <paramref name="after"/> (from the first when null): a listing resumes where a page ended.
    /// </summary>
    public static IEnumerable<(byte[] Name, DentryRecord Entry)> EnumerateChildren(MetaTxn txn, View view, long parent, byte[]? after = null)
    {
        byte[]? decided = null; // the logical key (parent, name, 0) whose visible version is already known
        // Every version of a name is (parent, name, 0x00, layer); (parent, name, 0x01) sorts after
        // all of them and before any longer name (names hold no NUL).
        byte[]? from = null;
        if (after is not null)
        {
            from = Keys.DentryPrefix(parent, after);
            from[^1] = 1;
        }
        foreach (var (key, value) in txn.Scan(Db.Dentries, Keys.U64(parent), from))
        {
            var logical = key.AsSpan(0, key.Length - 8);
            if (decided is not null && logical.SequenceEqual(decided)) continue;
            if (!view.Contains(Keys.DentryLayer(key))) continue;
            decided = logical.ToArray();
            var record = DentryRecord.Decode(value);
            if (record.Kind != RecordKind.Tombstone) yield return (Keys.DentryName(key).ToArray(), record);
        }
    }

    /// <summary>Resolves path segments below the view's root, or returns null if any is missing.</summary>
    /// <exception cref="NotADirectoryException">A segment other than the last names a file.</exception>
    public static (long Ino, InodeRecord Record)? TryResolve(MetaTxn txn, View view, IReadOnlyList<string> segments, string displayPath) =>
        Walk(txn, view, segments, displayPath, throwThroughFile: true);

    /// <summary>The node at a path, or null if it is missing or lies below a file (no exception either way).</summary>
    public static (long Ino, InodeRecord Record)? Find(MetaTxn txn, View view, string path) =>
        Walk(txn, view, PathRules.Split(path), path, throwThroughFile: false);

    private static (long Ino, InodeRecord Record)? Walk(MetaTxn txn, View view, IReadOnlyList<string> segments, string displayPath, bool throwThroughFile)
    {
        var ino = view.RootInode;
        var kind = RecordKind.Directory;
        foreach (var segment in segments)
        {
            // Directory entries carry the child's kind, so only the last inode record is read.
            if (kind != RecordKind.Directory) return throwThroughFile ? throw new NotADirectoryException(displayPath, Engine.NodeAttributes.KindOf(kind)) : null;
            var entry = Dentry(txn, view, ino, PathRules.NameBytes(segment));
            if (entry is null) return null;
            ino = entry.Child;
            kind = entry.Kind;
        }
        var record = Inode(txn, view, ino) ?? throw new StoreCorruptedException($"'{displayPath}' points to missing inode {ino}.");
        return (ino, record);
    }

    public static (long Ino, InodeRecord Record) Resolve(MetaTxn txn, View view, IReadOnlyList<string> segments, string displayPath) =>
        TryResolve(txn, view, segments, displayPath) ?? throw new PathNotFoundException(displayPath);

    /// <summary>
    /// The path of an inode relative to the view's root, or null when the inode is not reachable
    /// from that root in this view (deleted, or outside the subtree).
    /// </summary>
    public static string? PathOf(MetaTxn txn, View view, long ino)
    {
        var names = new List<string>();
        var current = ino;
        while (current != view.RootInode)
        {
            if (names.Count > PathRules.MaxDepth) return null;
            var record = Inode(txn, view, current);
            if (record is null || record.Parent == 0) return null;
            var entry = Dentry(txn, view, record.Parent, record.Name);
            if (entry is null || entry.Child != current) return null;
            names.Add(System.Text.Encoding.UTF8.GetString(record.Name));
            current = record.Parent;
        }
        names.Reverse();
        return PathRules.Join(names);
    }
}
