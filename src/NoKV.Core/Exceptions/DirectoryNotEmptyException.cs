namespace NoKV;

/// <summary>A non-empty directory was deleted without recursive: true.</summary>
public sealed class DirectoryNotEmptyException : NoKVException
{
    /// <summary>Creates the exception for a path.</summary>
    public DirectoryNotEmptyException(string path)
        : base($"'{path}' is a directory that is not empty; pass recursive: true to delete it.") => Path = path;

    /// <summary>The offending path (a full store path where known).</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.DirectoryNotEmpty;
}
