namespace NoKV;

/// <summary>Why an import left a source entry out. Directories, regular files and symbolic links are imported.</summary>
public enum ImportSkipReason
{
    /// <summary>
    /// A symbolic link found where the import had just seen a directory or a file (the entry was
    /// swapped during the import): it is never followed. Links found as links are imported.
    /// </summary>
    SymbolicLink,

    /// <summary>A named pipe (FIFO): opening it would wait for a writer, and it has no content to copy.</summary>
    NamedPipe,

    /// <summary>A Unix domain socket.</summary>
    Socket,

    /// <summary>A character device (e.g. a terminal or /dev/null).</summary>
    CharacterDevice,

    /// <summary>A block device (e.g. a disk).</summary>
    BlockDevice,

    /// <summary>Another kind of file that is neither a directory nor a regular file nor a link.</summary>
    OtherSpecialFile,

    /// <summary>
    /// A symbolic link whose target NoKV cannot store: not valid UTF-8, or longer than 4,095 bytes.
    /// </summary>
    UnsupportedLinkTarget,
}
