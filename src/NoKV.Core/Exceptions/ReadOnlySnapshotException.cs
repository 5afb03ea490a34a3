namespace NoKV;

/// <summary>A write was attempted through a snapshot pin, which is immutable.</summary>
public sealed class ReadOnlySnapshotException : NoKVException
{
    /// <summary>Creates the exception for a snapshot id.</summary>
    public ReadOnlySnapshotException(long snapshotId)
        : base($"Snapshot {snapshotId} is read-only; clone it to get a writable workspace.") => SnapshotId = snapshotId;

    /// <summary>The snapshot that was written to.</summary>
    public long SnapshotId { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.ReadOnly;
}
