using NoKV.Engine;
using NoKV.Mount.Protocol;

namespace NoKV.Mount.FileSystem;

/// <summary>NoKV node attributes as the kernel's struct fuse_attr.</summary>
internal static class AttributeEncoding
{
    /// <summary>st_blksize: the I/O size tools like cp use; large, as a FUSE round trip per call is the cost.</summary>
    private const uint BlockSize = 128 * 1024;

    public static FuseAttr ToFuse(in NodeAttributes node)
    {
        var (mtime, mtimeNsec) = UnixTime(node.ModifiedUtc);
        var (ctime, ctimeNsec) = UnixTime(node.ChangedUtc);
        return new FuseAttr
        {
            Ino = (ulong)node.Inode,
            Size = (ulong)node.Size,
            Blocks = ((ulong)node.Size + 511) / 512,
            ATime = mtime, // NoKV keeps no access time
            ATimeNsec = mtimeNsec,
            MTime = mtime,
            MTimeNsec = mtimeNsec,
            CTime = ctime,
            CTimeNsec = ctimeNsec,
            Mode = TypeBits(node.Kind) | ((uint)node.Mode & 0xFFF),
            // 1 for directories too: "link count unknown", so find does no leaf optimisation.
            NLink = 1,
            Uid = node.OwnerId,
            Gid = node.GroupId,
            BlkSize = BlockSize,
        };
    }

    public static uint TypeBits(NodeKind kind) => kind switch
    {
        NodeKind.Directory => FuseConstants.SIfDir,
        NodeKind.SymbolicLink => FuseConstants.SIfLnk,
        _ => FuseConstants.SIfReg,
    };

    public static uint DirentType(NodeKind kind) => kind switch
    {
        NodeKind.Directory => FuseConstants.DtDir,
        NodeKind.SymbolicLink => FuseConstants.DtLnk,
        _ => FuseConstants.DtReg,
    };

    public static (ulong Seconds, uint Nanoseconds) UnixTime(DateTime utc)
    {
        var ticks = utc.Ticks - DateTime.UnixEpoch.Ticks;
        if (ticks < 0) return (0, 0);
        return ((ulong)(ticks / TimeSpan.TicksPerSecond), (uint)(ticks % TimeSpan.TicksPerSecond * 100));
    }

    /// <summary>A time the kernel sent (seconds and nanoseconds since the epoch) as UTC ticks.</summary>
    public static long Ticks(ulong seconds, uint nanoseconds) =>
        DateTime.UnixEpoch.Ticks + (long)seconds * TimeSpan.TicksPerSecond + nanoseconds / 100;

    public static (ulong Seconds, uint Nanoseconds) Timeout(TimeSpan timeout) =>
        ((ulong)(timeout.Ticks / TimeSpan.TicksPerSecond), (uint)(timeout.Ticks % TimeSpan.TicksPerSecond * 100));
}
