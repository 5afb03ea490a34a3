namespace NoKV;

/// <summary>Why an import left a source entry out. Only directories and regular files are imported.</summary>
public enum ImportSkipReason
{
    /// <summary>A symbolic link: never followed, since it could point outside the source tree.</summary>
    SymbolicLink,

    /// <summary>A named pipe (FIFO): opening it would wait for a writer, and it has no content to copy.</summary>
    NamedPipe,

    /// <summary>A Unix domain socket.</summary>
    Socket,

    /// <summary>A character device (e.g. a terminal or /dev/null).</summary>
    CharacterDevice,

    /// <summary>A block device (e.g. a disk).</summary>
    BlockDevice,

    /// <summary>Another kind of file that is neither a directory nor a regular file.</summary>
    OtherSpecialFile,
}
