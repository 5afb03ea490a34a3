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

    public override SourceEntryType TypeOf(SourceEntryName entry) => SourceFiles.TypeOf(_listed[entry.Name]);

    public override (SourceDirectory? Directory, SourceEntryType Type) OpenDirectory(SourceEntryName entry) =>
        (new PathSourceDirectory(new DirectoryInfo(_listed[entry.Name].FullName)), SourceEntryType.Directory);

    public override (FileStream? Stream, SourceEntryType Type) OpenRegularFile(SourceEntryName entry) =>
        SourceFiles.OpenRegular(_listed[entry.Name].FullName);

    public override void Dispose() { }
}
