namespace NoKV;

/// <summary>The path names a directory or a symbolic link where a file is required.</summary>
public sealed class NotAFileException : NoKVException
{
    /// <summary>Creates the exception for a path that names a directory.</summary>
    public NotAFileException(string path) : this(path, NodeKind.Directory) { }

    /// <summary>Creates the exception for a path that names a node of <paramref name="actualKind"/>.</summary>
    public NotAFileException(string path, NodeKind actualKind)
        : base(actualKind == NodeKind.SymbolicLink
            ? $"'{path}' is a symbolic link, not a file; NoKV does not follow links."
            : $"'{path}' is a directory, not a file.")
    {
        Path = path;
        ActualKind = actualKind;
    }

    /// <summary>The offending path (a full store path where known).</summary>
    public string Path { get; }

    /// <summary>What the path names instead of a file.</summary>
    public NodeKind ActualKind { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => ActualKind == NodeKind.Directory ? NoKVErrorKind.IsADirectory : NoKVErrorKind.InvalidRequest;
}
