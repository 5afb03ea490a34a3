namespace NoKV.Lmdb;

/// <summary>How a write transaction's commit reaches the disk.</summary>
internal enum CommitMode
{
    /// <summary>Durable before the call returns: the data pages and then the meta page are fsynced (two syncs).</summary>
    Durable = 0,

    /// <summary>
    /// Ordered but not durable (LMDB's MDB_NOMETASYNC): the data pages are fsynced, the meta page
    /// that publishes them is left to the next commit or flush. A crash of the machine may undo
    /// the last commits but never tears the file: every meta page on disk points at synced pages.
    /// </summary>
    Ordered = 1,

    /// <summary>
    /// Applied to the open deferred batch (<see cref="DeferredCommitter"/>) and committed with it,
    /// durably, within the flush interval. (MDB_NOSYNC is never used: a machine crash can write a
    /// NOSYNC commit's meta page before its data pages and leave the file torn.)
    /// </summary>
    Deferred = 2,
}
