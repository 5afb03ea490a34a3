namespace NoKV;

/// <summary>How a workspace is mounted (see <see cref="WorkspaceStoreMountExtensions"/>).</summary>
public sealed class MountOptions
{
    /// <summary>
    /// Mount read-only: every change fails with EROFS. A snapshot is always mounted read-only.
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// How long the kernel may cache a name's lookup (its inode, or its absence is not cached).
    /// Default 1 second; zero asks the mount on every path walk. Changes made through the mount
    /// are seen at once whatever the value; changes made beside it (the <see cref="Workspace"/>
    /// API, a rollback) may take this long to appear.
    /// </summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the kernel may cache a node's attributes (size, mode, times). Default 1 second; same rules as <see cref="EntryTimeout"/>.</summary>
    public TimeSpan AttributeTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Let users other than the one who mounted (root) reach the directory (FUSE's
    /// <c>allow_other</c>). Off by default; permissions are then checked by the kernel against
    /// each node's mode, uid and gid (<c>default_permissions</c>).
    /// </summary>
    public bool AllowOther { get; init; }

    internal void Validate()
    {
        if (EntryTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(EntryTimeout), EntryTimeout, "A cache timeout cannot be negative.");
        if (AttributeTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AttributeTimeout), AttributeTimeout, "A cache timeout cannot be negative.");
    }
}
