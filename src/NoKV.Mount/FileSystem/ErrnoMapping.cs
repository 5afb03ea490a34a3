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
        var errno = exception switch
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
}
