namespace NoKV;

/// <summary>
/// With <see cref="Durability.Deferred"/>, committing published changes failed (a full or failing
/// disk): the changes published since the last durable commit are lost. What this process holds
/// in memory (open streams, write sessions, handles) may rest on them, so the store refuses every
/// further change, and every flush, until it is reopened; reading goes on and sees the last
/// committed state. Reopening shows that state, a prefix of the published history.
/// </summary>
public sealed class DeferredCommitFailedException : NoKVException
{
    /// <summary>Creates the exception for a commit that failed with <paramref name="failure"/>.</summary>
    public DeferredCommitFailedException(Exception failure)
        : base($"A deferred commit of the store failed ({failure.Message}); the changes published since the last durable commit are lost. " +
               "The store refuses further changes until it is reopened; reopening shows the last committed state.", failure)
    {
    }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.Failure;
}
