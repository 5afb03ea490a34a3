namespace NoKV;

/// <summary>
/// What kind of failure a <see cref="NoKVException"/> is, so a front end can map it without
/// listing exception types: the CLI to an exit code, a mount to an errno, a server to a status.
/// </summary>
public enum NoKVErrorKind
{
    /// <summary>The operation failed for a reason outside the request: I/O, the block store, a bug.</summary>
    Failure = 0,

    /// <summary>A workspace, snapshot or path the request names does not exist.</summary>
    NotFound,

    /// <summary>The workspace or path the request would create exists.</summary>
    AlreadyExists,

    /// <summary>The request is not valid as given: a path beyond the limits, a move into itself, nesting workspaces.</summary>
    InvalidRequest,

    /// <summary>A path goes through, or names, a file where a directory is needed.</summary>
    NotADirectory,

    /// <summary>A path names a directory where a file is needed.</summary>
    IsADirectory,

    /// <summary>A directory to delete has entries.</summary>
    DirectoryNotEmpty,

    /// <summary>The target cannot be written (a snapshot).</summary>
    ReadOnly,

    /// <summary>The request needs related trees (a snapshot of the workspace's lineage, a fork of the target) and they are not.</summary>
    Unrelated,

    /// <summary>Another process has the store open.</summary>
    Locked,

    /// <summary>Stored state is damaged or missing: metadata, or a block it references.</summary>
    Corrupted,

    /// <summary>
    /// The request asks for something NoKV does not do: a hard link, a mode on a symbolic link,
    /// extended attributes, a store format newer than this NoKV reads (a mount answers ENOTSUP).
    /// </summary>
    Unsupported,

    /// <summary>A file would grow past the store's largest file size (a mount answers EFBIG).</summary>
    TooLarge,
}
