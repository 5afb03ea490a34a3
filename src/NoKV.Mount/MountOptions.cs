namespace NoKV;

/// <summary>How a workspace is mounted (see <see cref="WorkspaceStoreMountExtensions"/>).</summary>
public sealed class MountOptions
{
    /// <summary>
    /// Mount read-only: every change fails with EROFS. A snapshot is always mounted read-only.
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// How long the kernel may cache a name's lookup (the inode it names). Default 60 seconds:
    /// the mount is the workspace's one writer through the kernel, and changes made beside it
    /// (the <see cref="Workspace"/> API, <see cref="WorkspaceStore.Rollback(string, long)"/>,
    /// <see cref="WorkspaceStore.Promote"/>) drop the kernel's cached entries as they happen.
    /// Zero asks the mount on every path walk.
    /// </summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the kernel may cache that a name does not exist (a failed lookup). Default 60 seconds; zero caches no absence. Same rules as <see cref="EntryTimeout"/>.</summary>
    public TimeSpan NegativeEntryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the kernel may cache a node's attributes (size, mode, times). Default 60 seconds; same rules as <see cref="EntryTimeout"/>.</summary>
    public TimeSpan AttributeTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Keep the kernel's page cache of a file across opens while the file has not changed since
    /// it was cached (<c>FOPEN_KEEP_CACHE</c>), and cache directory listings
    /// (<c>FOPEN_CACHE_DIR</c>). Default true; false drops a file's cached pages at every open.
    /// </summary>
    public bool KeepCache { get; init; } = true;

    /// <summary>
    /// Let users other than the one who mounted (root) reach the directory (FUSE's
    /// <c>allow_other</c>). Off by default; permissions are then checked by the kernel against
    /// each node's mode, uid and gid (<c>default_permissions</c>).
    /// </summary>
    public bool AllowOther { get; init; }

    internal void Validate()
    {
        if (EntryTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(EntryTimeout), EntryTimeout, "A cache timeout cannot be negative.");
        if (NegativeEntryTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(NegativeEntryTimeout), NegativeEntryTimeout, "A cache timeout cannot be negative.");
        if (AttributeTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AttributeTimeout), AttributeTimeout, "A cache timeout cannot be negative.");
    }
}
