namespace NoKV;

/// <summary>A rollback named a snapshot that was not taken of the target (or of its lineage).</summary>
public sealed class UnrelatedSnapshotException : NoKVException
{
    /// <summary>Creates the exception for a target path and snapshot id.</summary>
    public UnrelatedSnapshotException(string targetPath, long snapshotId)
        : base($"Snapshot {snapshotId} was not taken of '{targetPath}' or its lineage; cannot roll back to it.")
    {
        TargetPath = targetPath;
        SnapshotId = snapshotId;
    }

    /// <summary>The rollback target.</summary>
    public string TargetPath { get; }

    /// <summary>The snapshot that does not belong to it.</summary>
    public long SnapshotId { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.Unrelated;
}
