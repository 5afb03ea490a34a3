namespace NoKV.Import;

/// <summary>
/// An import source directory known by its path, where no directory descriptors are used (see
/// <see cref="SourceDirectory"/> for what that leaves open).
/// </summary>
internal sealed class PathSourceDirectory(DirectoryInfo directory) : SourceDirectory
{
    private readonly Dictionary<string, FileSystemInfo> _listed = new(StringComparer.Ordinal);

    public override IReadOnlyList<SourceEntryName> List()
    {
        _listed.Clear();
        foreach (var entry in directory.EnumerateFileSystemInfos()) _listed[entry.Name] = entry;
        return [.. _listed.Keys.Order(StringComparer.Ordinal).Select(SourceEntryName.FromString)];
    }

    public override SourceEntryLook Look(SourceEntryName entry)
    {
        var info = _listed[entry.Name];
        var type = SourceFiles.TypeOf(info);
        info.Refresh();
        // What .NET gives: the permission bits where it has them (not on Windows, and a link's own
        // are never needed), the link's own modification time, and this process as the owner.
        var mode = OperatingSystem.IsWindows() || type == SourceEntryType.SymbolicLink
            ? Lmdb.InodeRecord.DefaultMode(type == SourceEntryType.Directory ? Lmdb.RecordKind.Directory : Lmdb.RecordKind.File)
            : (int)info.UnixFileMode;
        return new SourceEntryLook(type, new SourceEntryAttributes(mode, Lmdb.ProcessIdentity.User, Lmdb.ProcessIdentity.Group, info.LastWriteTimeUtc.Ticks));
    }

    public override SourceEntryAttributes LookSelf()
    {
        directory.Refresh();
        var mode = OperatingSystem.IsWindows() ? Lmdb.InodeRecord.DefaultMode(Lmdb.RecordKind.Directory) : (int)directory.UnixFileMode;
        return new SourceEntryAttributes(mode, Lmdb.ProcessIdentity.User, Lmdb.ProcessIdentity.Group, directory.LastWriteTimeUtc.Ticks);
    }

    public override byte[]? ReadLink(SourceEntryName entry, int limit)
    {
        var info = _listed[entry.Name];
        info.Refresh();
        if (info.LinkTarget is not { } target) return null;
        // A target .NET could not decode comes back with replacement characters: refuse those
        // rather than store a target the file system never held.
        return target.Contains('\uFFFD', StringComparison.Ordinal) ? [0xFF] : System.Text.Encoding.UTF8.GetBytes(target);
    }

    public override (SourceDirectory? Directory, SourceEntryType Type) OpenDirectory(SourceEntryName entry) =>
        (new PathSourceDirectory(new DirectoryInfo(_listed[entry.Name].FullName)), SourceEntryType.Directory);

    public override (FileStream? Stream, SourceEntryType Type) OpenRegularFile(SourceEntryName entry) =>
        SourceFiles.OpenRegular(_listed[entry.Name].FullName);

    public override void Dispose() { }
}
