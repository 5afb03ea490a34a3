namespace NoKV.Import;

/// <summary>
/// A directory of an import source that the import has opened: its entries are listed, looked at
/// and opened relative to it, never by a path from the source root, so that a directory swapped
/// for a link after it was listed cannot lead the import out of the source tree.
/// </summary>
/// <remarks>
/// On Linux (x64, arm64, x86, arm) this holds an open directory descriptor and every open is an
/// openat with O_NOFOLLOW relative to it (<see cref="LinuxSourceDirectory"/>). Elsewhere — macOS,
/// Windows, and Linux on an architecture whose open flags are not in <see cref="LinuxCalls"/> — it
/// is a path (<see cref="PathSourceDirectory"/>): each entry's type is read without following
/// links, but a parent directory swapped for a link between the listing and the open is followed.
/// </remarks>
internal abstract class SourceDirectory : IDisposable
{
    /// <summary>Opens the import root (links in the path the caller gave are followed, as for any path argument).</summary>
    /// <exception cref="DirectoryNotFoundException">There is no directory at <paramref name="fullPath"/>.</exception>
    public static SourceDirectory OpenRoot(string fullPath) =>
        OperatingSystem.IsLinux() && LinuxCalls.Flags is { } flags
            ? LinuxSourceDirectory.OpenRoot(fullPath, flags)
            : new PathSourceDirectory(new DirectoryInfo(fullPath));

    /// <summary>The entries of this directory, in ordinal order of their names, without "." and "..".</summary>
    public abstract IReadOnlyList<SourceEntryName> List();

    /// <summary>The entry's type, links not followed; <see cref="FileNotFoundException"/> if it vanished.</summary>
    public SourceEntryType TypeOf(SourceEntryName entry) => Look(entry).Type;

    /// <summary>The entry's type and attributes, links not followed; <see cref="FileNotFoundException"/> if it vanished.</summary>
    public abstract SourceEntryLook Look(SourceEntryName entry);

    /// <summary>This directory's own attributes.</summary>
    public abstract SourceEntryAttributes LookSelf();

    /// <summary>
    /// The target of a link <see cref="Look"/> found, as the bytes the file system holds, at most
    /// <paramref name="limit"/> + 1 of them (more means too long); null if the entry is no longer a link.
    /// </summary>
    public abstract byte[]? ReadLink(SourceEntryName entry, int limit);

    /// <summary>
    /// Opens a subdirectory that <see cref="TypeOf"/> found, or returns null and its new type if it
    /// has since been replaced by something else (a link above all: it is never followed).
    /// </summary>
    public abstract (SourceDirectory? Directory, SourceEntryType Type) OpenDirectory(SourceEntryName entry);

    /// <summary>
    /// Opens a file <see cref="TypeOf"/> found regular for sequential reading, without blocking, or
    /// returns null and its new type if it has since been replaced by something else.
    /// </summary>
    public abstract (FileStream? Stream, SourceEntryType Type) OpenRegularFile(SourceEntryName entry);

    /// <inheritdoc/>
    public abstract void Dispose();
}
