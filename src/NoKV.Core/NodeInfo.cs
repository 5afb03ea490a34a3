namespace NoKV;

/// <summary>A file, directory or symbolic link as seen by a workspace or snapshot.</summary>
/// <param name="Name">The last path segment ("" for the root).</param>
/// <param name="Path">The path relative to the workspace or snapshot root, starting with '/'.</param>
/// <param name="Kind">File, directory or symbolic link.</param>
/// <param name="Length">A file's length in bytes; a link's target length in UTF-8 bytes (as lstat reports it); 0 for a directory.</param>
/// <param name="Generation">The version of the file's bytes; every write session mints a new one (0 for a directory or link).</param>
/// <param name="Inode">The node's stable identity within its lineage.</param>
/// <param name="LastWriteTime">The modification time: when the bytes (a directory's entries) last changed, or what it was set to.</param>
/// <param name="ChangeTime">The change time: when the node's content or metadata (mode, owner, name) last changed. It cannot be set.</param>
/// <param name="Mode">The permission bits, setuid, setgid and sticky included (stored, never enforced by NoKV).</param>
/// <param name="OwnerId">The owner's uid.</param>
/// <param name="GroupId">The group's gid.</param>
/// <param name="LinkTarget">A symbolic link's target exactly as it was created; null for a file or directory.</param>
public sealed record NodeInfo(
    string Name, string Path, NodeKind Kind, long Length, long Generation, long Inode,
    DateTimeOffset LastWriteTime, DateTimeOffset ChangeTime, UnixFileMode Mode, long OwnerId, long GroupId, string? LinkTarget);
