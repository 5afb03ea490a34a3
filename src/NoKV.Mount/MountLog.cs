using Microsoft.Extensions.Logging;

namespace NoKV.Mount;

/// <summary>The mount's log messages (source-generated, stable event ids 9001-9099).</summary>
internal static partial class MountLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Mounted {Workspace} at {Directory}")]
    public static partial void Mounted(ILogger logger, string workspace, string directory);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Unmounted {Directory}")]
    public static partial void Unmounted(ILogger logger, string directory);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Error, Message = "Reading /dev/fuse failed with errno {Errno}; the mount stops serving")]
    public static partial void ReadFailed(ILogger logger, int errno);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Warning, Message = "Writing the reply to FUSE request {Unique} failed with errno {Errno}")]
    public static partial void ReplyFailed(ILogger logger, ulong unique, int errno);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Error, Message = "FUSE {Opcode} on node {Node} failed with EIO")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string opcode, ulong node);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Error, Message = "FUSE {Opcode} on node {Node} met damaged or missing stored data; answered EIO")]
    public static partial void Corrupted(ILogger logger, Exception exception, string opcode, ulong node);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Error, Message = "Publishing inode {Inode} at unmount failed; its unpublished writes are lost")]
    public static partial void PublishAtUnmountFailed(ILogger logger, Exception exception, long inode);

    [LoggerMessage(EventId = 9008, Level = LogLevel.Warning, Message = "{Directory} was busy; detached it (lazy unmount) and aborted its FUSE connection")]
    public static partial void Detached(ILogger logger, string directory);

    [LoggerMessage(EventId = 9009, Level = LogLevel.Error, Message = "Making the changes of the mount of {Workspace} durable at unmount failed; what was published since the last flush may be lost")]
    public static partial void FlushAtUnmountFailed(ILogger logger, Exception exception, string workspace);

    [LoggerMessage(EventId = 9010, Level = LogLevel.Warning, Message = "Dropping the kernel's cached view of a change to {Workspace} failed; the mount may show the old state until its cache timeouts pass")]
    public static partial void InvalidationFailed(ILogger logger, Exception exception, string workspace);

    [LoggerMessage(EventId = 9011, Level = LogLevel.Error, Message = "Unmounting {Directory} while its store closes failed")]
    public static partial void UnmountAtCloseFailed(ILogger logger, Exception exception, string directory);
}
