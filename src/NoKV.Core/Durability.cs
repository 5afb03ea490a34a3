namespace NoKV;

/// <summary>When a store's metadata changes reach the disk (<see cref="WorkspaceStoreOptions.Durability"/>).</summary>
public enum Durability
{
    /// <summary>
    /// Every operation is durable before it returns (the default): one durable metadata commit
    /// per operation, shared by operations that run at the same moment (group commit).
    /// </summary>
    PerOperation = 0,

    /// <summary>
    /// Every operation is published when it returns (every reader of the store sees it at once)
    /// and durable within <see cref="WorkspaceStoreOptions.FlushInterval"/>, or sooner at
    /// <see cref="WorkspaceStore.FlushAsync"/>, a snapshot, a clone, a promote, or disposing the
    /// store. Many operations share one commit, as a file system's page cache does. After a crash
    /// (of the process or of the machine) the store shows a prefix of the published history:
    /// everything flushed, possibly less of what came after, never a torn file.
    /// </summary>
    Deferred = 1,
}
