using Microsoft.Extensions.Logging;

namespace NoKV.Logging;

/// <summary>NoKV's log messages, with stable event ids. Never file contents, never credentials.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "GC ({Mode}) deleted {Blocks} blocks ({Bytes} bytes), {Generations} generations, {Layers} layers, merged {Merged}, {Orphans} orphans in {Milliseconds} ms")]
    public static partial void GarbageCollected(ILogger logger, GcMode mode, long blocks, long bytes, long generations, long layers, long merged, long orphans, long milliseconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Write of '{Path}' in '{Workspace}' failed; unless its publish landed before the error, its {Blocks} uploaded blocks are deleted (or left to GC) and the previous version stays")]
    public static partial void WriteAbandoned(ILogger logger, Exception exception, string workspace, string path, int blocks);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Opened store at {Directory} with block store {BlockStore}")]
    public static partial void StoreOpened(ILogger logger, string directory, string blockStore);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Slow metadata operation {Operation}: {Milliseconds} ms")]
    public static partial void SlowOperation(ILogger logger, string operation, long milliseconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Could not write the identity file of the store at {Directory}; it opens without it and the next open tries again")]
    public static partial void IdentityFileNotWritten(ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "A deferred metadata commit of the store at {Directory} failed: the changes published since the last durable commit are lost (the store on disk keeps what was committed before them)")]
    public static partial void DeferredCommitFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Workspace '{Workspace}' expired (at {ExpiresUtc:O}) and was dropped; what only it reached is reclaimed as garbage")]
    public static partial void WorkspaceExpired(ILogger logger, string workspace, DateTime expiresUtc);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Snapshot {SnapshotId} of '{Root}' expired (at {ExpiresUtc:O}) and was released")]
    public static partial void SnapshotExpired(ILogger logger, long snapshotId, string root, DateTime expiresUtc);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Workspace '{Workspace}' has expired but is in use (an open write, import or mount); it is dropped by the first GC after it is released")]
    public static partial void ExpiryDeferred(ILogger logger, string workspace);
}
