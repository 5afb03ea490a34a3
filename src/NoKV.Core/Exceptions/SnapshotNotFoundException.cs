namespace NoKV;

/// <summary>No snapshot pin with the given id exists (never created, or released).</summary>
public sealed class SnapshotNotFoundException : NoKVException
{
    /// <summary>Creates the exception for a snapshot id.</summary>
    public SnapshotNotFoundException(long snapshotId)
        : base($"Snapshot {snapshotId} does not exist or has been released.") => SnapshotId = snapshotId;

    /// <summary>The id that named no snapshot.</summary>
    public long SnapshotId { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.NotFound;
}
