namespace NoKV;

/// <summary>
/// A workspace could not be mounted (or unmounted): FUSE is missing, the process may not mount
/// (mounting needs root for now), or the kernel refused. The message says which.
/// </summary>
public sealed class MountFailedException : NoKVException
{
    internal MountFailedException(string directory, string message, NoKVErrorKind kind = NoKVErrorKind.Failure)
        : base($"Cannot mount at '{directory}': {message}")
    {
        Directory = directory;
        ErrorKind = kind;
    }

    /// <summary>The mount point.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind { get; }
}
