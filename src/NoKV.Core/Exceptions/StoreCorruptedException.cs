namespace NoKV;

/// <summary>
/// The store's metadata cannot be trusted: it is damaged (cut short, garbage pages, a broken
/// record), missing or empty where a store has been, another store's, or of an unknown format
/// version. Thrown by <see cref="WorkspaceStore.Open(WorkspaceStoreOptions)"/> before anything is
/// created, changed or deleted, and by a full GC that refuses to sweep blocks the metadata cannot
/// vouch for. Restore the store's meta directory from a backup; retrying does not help.
/// </summary>
public sealed class StoreCorruptedException : NoKVException
{
    /// <summary>Creates the exception with a description of the damage.</summary>
    public StoreCorruptedException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.Corrupted;
}
