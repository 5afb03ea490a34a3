namespace NoKV;

/// <summary>
/// An operation would create a path inside a workspace over the path limits (deeper than 256
/// segments or longer than 4,096 UTF-8 bytes), although every path it was given is valid: moving
/// a directory below a deep one, promoting a fork into a deeper directory than it was cloned
/// from, importing a tree below a deep directory. The operation changed nothing (an import keeps
/// the batches it published before, as for any import failure).
/// </summary>
public sealed class PathLimitExceededException : NoKVException
{
    /// <summary>Creates the exception for the first path found over a limit and the limit it breaks.</summary>
    public PathLimitExceededException(string path, string reason)
        : base($"The operation would create '{Shorten(path)}', which {reason}; nothing was changed.")
    {
        Path = path;
    }

    /// <summary>The path (inside its workspace) that would have been created over the limit.</summary>
    public string Path { get; }

    private static string Shorten(string path) => path.Length > 200 ? path[..100] + "…" + path[^100..] : path;

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.InvalidRequest;
}
