using NoKV.Lmdb;

namespace NoKV.Engine;

/// <summary>What getattr reports for one inode in one view.</summary>
internal readonly record struct NodeAttributes(
    long Inode, long Parent, NodeKind Kind, long Size, long Generation,
    DateTime ModifiedUtc, DateTime ChangedUtc, UnixFileMode Mode, uint OwnerId, uint GroupId, byte[]? LinkTarget)
{
    public bool IsDirectory => Kind == NodeKind.Directory;

    public static NodeAttributes Of(long ino, InodeRecord record) => new(
        ino,
        record.Parent,
        KindOf(record.Kind),
        record.IsDirectory ? 0 : record.Size,
        record.IsFile ? record.Generation : 0,
        WorkspaceStore.FromTicks(record.ModifiedUtcTicks),
        WorkspaceStore.FromTicks(record.ChangedUtcTicks),
        (UnixFileMode)record.Mode,
        record.OwnerId,
        record.GroupId,
        record.IsSymbolicLink ? record.LinkTarget : null);

    /// <summary>The public kind of a stored (non-tombstone) record kind.</summary>
    public static NodeKind KindOf(RecordKind kind) => kind switch
    {
        RecordKind.Directory => NodeKind.Directory,
        RecordKind.SymbolicLink => NodeKind.SymbolicLink,
        _ => NodeKind.File,
    };

    /// <summary>The public description of this node, under the name and path it was reached by.</summary>
    public NodeInfo ToNodeInfo(string name, string path) => new(
        name, path, Kind, Size, Generation, Inode,
        new DateTimeOffset(ModifiedUtc), new DateTimeOffset(ChangedUtc), Mode, OwnerId, GroupId,
        LinkTarget is null ? null : System.Text.Encoding.UTF8.GetString(LinkTarget));
}
