namespace NoKV.Engine;

/// <summary>One directory entry as readdir returns it: the name's bytes, the child inode and its kind.</summary>
internal readonly record struct DirectoryEntry(byte[] Name, long Inode, NodeKind Kind)
{
    public string NameText => System.Text.Encoding.UTF8.GetString(Name);
}

/// <summary>
/// A page of a directory listing, in name (UTF-8 byte) order. <see cref="Next"/> is the position
/// to resume from (the last name returned), or null when the listing is complete. A position is a
/// name, not an index, so entries added or removed between pages neither repeat nor hide others.
/// </summary>
internal sealed record DirectoryPage(IReadOnlyList<DirectoryEntry> Entries, byte[]? Next);
