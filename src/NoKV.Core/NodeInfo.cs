namespace NoKV;

/// <summary>A file or directory as seen by a workspace or snapshot.</summary>
/// <param name="Name">The last path segment ("" for the root).</param>
/// <param name="Path">The path relative to the workspace or snapshot root, starting with '/'.</param>
/// <param name="Kind">File or directory.</param>
/// <param name="Length">The file's length in bytes (0 for a directory).</param>
/// <param name="Generation">The version of the file's bytes; every write session mints a new one (0 for a directory).</param>
/// <param name="Inode">The node's stable identity within its lineage.</param>
/// <param name="LastModifiedUtc">When the node's metadata or bytes were last published.</param>
public sealed record NodeInfo(string Name, string Path, NodeKind Kind, long Length, long Generation, long Inode, DateTime LastModifiedUtc);
