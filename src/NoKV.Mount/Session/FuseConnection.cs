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
    public void InvalidateAttributes(ulong nodeId)
    {
        const int notifyInvalInode = 2;
        var notice = new FuseNotifyInvalInodeOut { Ino = nodeId, Off = -1, Len = 0 };
        Reply(0, notifyInvalInode, MemoryMarshal.AsBytes(new ReadOnlySpan<FuseNotifyInvalInodeOut>(in notice)));
    }

    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0) Libc.Close(fd);
    }
}
