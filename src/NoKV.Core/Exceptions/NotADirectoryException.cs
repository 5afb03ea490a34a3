namespace NoKV;

/// <summary>The path names a file where a directory is required.</summary>
public sealed class NotADirectoryException : NoKVException
{
    /// <summary>Creates the exception for a path.</summary>
    public NotADirectoryException(string path)
        : base($"'{path}' is not a directory.") => Path = path;

    /// <summary>The offending path (a full store path where known).</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.NotADirectory;
}
