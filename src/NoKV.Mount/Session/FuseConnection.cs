using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NoKV.Mount.Interop;
using NoKV.Mount.Protocol;

namespace NoKV.Mount.Session;

/// <summary>
/// The /dev/fuse file descriptor of one mount: blocking reads of whole requests, one write(2)
/// per reply (the kernel takes a reply only whole), and closing once the session is over.
/// </summary>
internal sealed unsafe class FuseConnection(int fd, ILogger logger)
{
    private static readonly int OutHeaderSize = Marshal.SizeOf<FuseOutHeader>();
    private int _closed;

    /// <summary>
    /// Reads the next request into <paramref name="buffer"/>; returns its length, or 0 once the
    /// file system is unmounted (ENODEV) or the descriptor is unusable.
    /// </summary>
    public int ReadRequest(byte[] buffer)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer) n = Libc.Read(fd, p, buffer.Length);
            if (n > 0) return (int)n;
            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                // Interrupted, or the request was interrupted before we read it: read the next one.
                case Errno.EINTR or Errno.EAGAIN or Errno.ENOENT:
                    continue;
                case Errno.ENODEV:
                    return 0;
                default:
                    MountLog.ReadFailed(logger, errno);
                    return 0;
            }
        }
    }

    public void Reply(ulong unique, int error, ReadOnlySpan<byte> payload)
    {
        var length = OutHeaderSize + payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var header = new FuseOutHeader { Len = (uint)length, Error = error, Unique = unique };
            MemoryMarshal.Write(buffer, in header);
            payload.CopyTo(buffer.AsSpan(OutHeaderSize));
            nint written;
            fixed (byte* p = buffer) written = Libc.Write(fd, p, length);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // ENOENT: the request was interrupted and is gone; ENODEV: the mount is gone.
                if (errno is not (Errno.ENOENT or Errno.ENODEV)) MountLog.ReplyFailed(logger, unique, errno);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Tells the kernel a node's cached attributes are stale (FUSE_NOTIFY_INVAL_INODE with
    /// offset -1: attributes only; the page cache holds what was written, still right).
    /// </summary>
    public void InvalidateAttributes(ulong nodeId) => InvalidateInode(nodeId, withData: false);

    /// <summary>
    /// Drops a node's cached attributes and, with <paramref name="withData"/>, its cached pages
    /// (a file's bytes, a directory's cached listing). The kernel may hold this write until a
    /// request on the node's pages completes: never call it from a request handler with data.
    /// </summary>
    public void InvalidateInode(ulong nodeId, bool withData)
    {
        var notice = new FuseNotifyInvalInodeOut { Ino = nodeId, Off = withData ? 0 : -1, Len = 0 };
        Reply(0, FuseConstants.NotifyInvalInode, MemoryMarshal.AsBytes(new ReadOnlySpan<FuseNotifyInvalInodeOut>(in notice)));
    }

    /// <summary>
    /// Drops the kernel's cached lookup of <paramref name="name"/> in directory
    /// <paramref name="parentNodeId"/> (positive or negative). The kernel takes the directory's
    /// lock for it: never call it from a request handler.
    /// </summary>
    public void InvalidateEntry(ulong parentNodeId, ReadOnlySpan<byte> name)
    {
        var headerSize = Marshal.SizeOf<FuseNotifyInvalEntryOut>();
        var payload = ArrayPool<byte>.Shared.Rent(headerSize + name.Length + 1);
        try
        {
            var notice = new FuseNotifyInvalEntryOut { Parent = parentNodeId, NameLen = (uint)name.Length };
            MemoryMarshal.Write(payload, in notice);
            name.CopyTo(payload.AsSpan(headerSize));
            payload[headerSize + name.Length] = 0;
            Reply(0, FuseConstants.NotifyInvalEntry, payload.AsSpan(0, headerSize + name.Length + 1));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0) Libc.Close(fd);
    }
}
