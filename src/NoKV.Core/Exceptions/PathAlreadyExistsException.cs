namespace NoKV;

/// <summary>A file or directory already exists at the path.</summary>
public sealed class PathAlreadyExistsException : NoKVException
{
    /// <summary>Creates the exception for a path.</summary>
    public PathAlreadyExistsException(string path)
        : base($"'{path}' already exists.") => Path = path;

    /// <summary>The offending path (a full store path where known).</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.AlreadyExists;
}
