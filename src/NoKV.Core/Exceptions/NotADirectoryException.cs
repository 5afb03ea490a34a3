namespace NoKV;

/// <summary>The path names (or goes through) a file or a symbolic link where a directory is required.</summary>
public sealed class NotADirectoryException : NoKVException
{
    /// <summary>Creates the exception for a path that names a file.</summary>
    public NotADirectoryException(string path) : this(path, NodeKind.File) { }

    /// <summary>Creates the exception for a path that names a node of <paramref name="actualKind"/>.</summary>
    public NotADirectoryException(string path, NodeKind actualKind)
        : base(actualKind == NodeKind.SymbolicLink
            ? $"'{path}' is a symbolic link, not a directory; NoKV does not follow links."
            : $"'{path}' is not a directory.")
    {
        Path = path;
        ActualKind = actualKind;
    }

    /// <summary>The offending path (a full store path where known).</summary>
    public string Path { get; }

    /// <summary>What the path names instead of a directory.</summary>
    public NodeKind ActualKind { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.NotADirectory;
}
