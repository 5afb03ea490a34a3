namespace NoKV.Engine;

/// <summary>
/// A by-inode edit found that another write published a version of the file after the one the
/// edit started from; publishing would silently undo that write, so nothing was published.
/// Retrying on the newer version succeeds.
/// </summary>
internal sealed class VersionRacedException(string path) : NoKVException($"'{path}' was changed by another write while this one was being made.")
{
    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.Failure;

    /// <inheritdoc />
    public override bool IsTransient => true;
}
