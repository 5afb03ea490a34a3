using NoKV.Lmdb;

namespace NoKV.Engine;

/// <summary>What getattr reports for one inode in one view.</summary>
internal readonly record struct NodeAttributes(long Inode, long Parent, NodeKind Kind, long Size, long Generation, DateTime ModifiedUtc)
{
    public bool IsDirectory => Kind == NodeKind.Directory;

    public static NodeAttributes Of(long ino, InodeRecord record) => new(
        ino,
        record.Parent,
        record.IsDirectory ? NodeKind.Directory : NodeKind.File,
        record.IsFile ? record.Size : 0,
        record.IsFile ? record.Generation : 0,
        WorkspaceStore.FromTicks(record.ModifiedUtcTicks));

    /// <summary>The public description of this node, under the name and path it was reached by.</summary>
    public NodeInfo ToNodeInfo(string name, string path) => new(name, path, Kind, Size, Generation, Inode, ModifiedUtc);
}
