using Microsoft.Extensions.Logging;
using NoKV.Mount.Interop;

namespace NoKV.Mount.FileSystem;

/// <summary>
/// The one place an exception becomes an errno for the kernel. NoKV's exceptions carry their
/// kind (<see cref="NoKVErrorKind"/>); damaged stored data and anything unexpected become EIO
/// with a log line, never wrong bytes.
/// </summary>
internal static class ErrnoMapping
{
    public static int Of(Exception exception, ILogger logger, string opcode, ulong node)
    {
        var errno = SpaceErrno(exception) ?? exception switch
        {
            PathLimitExceededException or NameTooLongException => Errno.ENAMETOOLONG,
            NoKVException e => e.ErrorKind switch
            {
                NoKVErrorKind.NotFound => Errno.ENOENT,
                NoKVErrorKind.AlreadyExists => Errno.EEXIST,
                NoKVErrorKind.InvalidRequest => Errno.EINVAL,
                NoKVErrorKind.NotADirectory => Errno.ENOTDIR,
                NoKVErrorKind.IsADirectory => Errno.EISDIR,
                NoKVErrorKind.DirectoryNotEmpty => Errno.ENOTEMPTY,
                NoKVErrorKind.ReadOnly => Errno.EROFS,
                NoKVErrorKind.Unrelated => Errno.EXDEV,
                NoKVErrorKind.Unsupported => Errno.ENOTSUP,
                NoKVErrorKind.TooLarge => Errno.EFBIG,
                NoKVErrorKind.Locked => Errno.EBUSY,
                _ => Errno.EIO,
            },
            ArgumentException => Errno.EINVAL,
            OperationCanceledException => Errno.EINTR,
            _ => Errno.EIO,
        };
        if (errno == Errno.EIO)
        {
            if (exception is NoKVException { ErrorKind: NoKVErrorKind.Corrupted }) MountLog.Corrupted(logger, exception, opcode, node);
            else MountLog.OperationFailed(logger, exception, opcode, node);
        }
        return errno;
    }

    /// <summary>
    /// ENOSPC for a full disk, EDQUOT for an exceeded quota, wherever in the chain the block
    /// store's IOException sits (a write session may wrap it); null for anything else.
    /// </summary>
    private static int? SpaceErrno(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (IsQuotaExceeded(e)) return Errno.EDQUOT;
            if (e is IOException io && IsDiskFull(io)) return Errno.ENOSPC;
        }
        return null;
    }

    /// <summary>
    /// The disk (or its user quota) is full: on Linux .NET carries the errno in HResult (ENOSPC,
    /// EDQUOT); on Windows ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL.
    /// </summary>
    private static bool IsDiskFull(IOException io) => io.HResult is Errno.ENOSPC or Errno.EDQUOT
        || (io.HResult & 0xFFFF0000) == 0x80070000 && (io.HResult & 0xFFFF) is 112 or 39;

    /// <summary>
    /// Hook for store quotas (issue 18): the store's own quota exception, once it exists, maps to
    /// EDQUOT here. Today only a disk quota on the block directory does (<see cref="IsDiskFull"/>
    /// reports it as ENOSPC's sibling through its errno).
    /// </summary>
    private static bool IsQuotaExceeded(Exception exception) => exception is IOException { HResult: Errno.EDQUOT };
}
