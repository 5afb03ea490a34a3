namespace NoKV;

/// <summary>The path names a directory where a file is required.</summary>
public sealed class NotAFileException : NoKVException
{
    /// <summary>Creates the exception for a path.</summary>
    public NotAFileException(string path)
        : base($"'{path}' is a directory, not a file.") => Path = path;

    /// <summary>The offending path (a full store path where known).</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.IsADirectory;
}
