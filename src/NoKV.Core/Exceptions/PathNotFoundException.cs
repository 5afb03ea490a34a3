namespace NoKV;

/// <summary>No file or directory exists at the path.</summary>
public sealed class PathNotFoundException : NoKVException
{
    /// <summary>Creates the exception for a path.</summary>
    public PathNotFoundException(string path)
        : base($"'{path}' does not exist.") => Path = path;

    /// <summary>The offending path (a full store path where known).</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.NotFound;
}
