namespace NoKV.Lmdb;

/// <summary>Where <see cref="MetaDb.CommitFaults"/> is called in a write transaction.</summary>
internal enum CommitPhase
{
    /// <summary>The transaction's work is done and not yet committed: a throw aborts it.</summary>
    BeforeCommit,

    /// <summary>The transaction committed durably and its commit hooks ran.</summary>
    AfterCommit,
}
