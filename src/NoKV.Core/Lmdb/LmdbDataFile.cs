namespace NoKV.Lmdb;

/// <summary>What is in a store's metadata directory before LMDB opens it.</summary>
internal enum MetadataFileState
{
    /// <summary>No data.mdb: LMDB would create one.</summary>
    Absent,

    /// <summary>A zero-length data.mdb: LMDB would take it for a new database.</summary>
    Empty,

    /// <summary>An LMDB file whose meta pages are sound and whose every live page is inside the file.</summary>
    Sound,
}

/// <summary>
/// Checks an LMDB data file before it is mapped. LMDB maps the whole file and trusts it: a page
/// past the end of a file cut short, or a garbage size or pointer that reads past it, kills the
/// process that touches it (SIGBUS), which no exception handler can catch. So the meta pages are
/// read with plain file I/O first (<see cref="LmdbFileHeader"/>), then every live page
/// (<see cref="LmdbTreeCheck"/>). The file may legitimately end before its last allocated page
/// (LMDB never writes a page a transaction allocated and freed again), so what must be inside
/// the file is every page reachable from the roots, not every allocated one.
/// </summary>
internal static class LmdbDataFile
{
    public const string FileName = "data.mdb";

    /// <summary>Inspects {directory}/data.mdb; throws <see cref="StoreCorruptedException"/> if LMDB cannot safely map it.</summary>
    public static MetadataFileState Inspect(string directory)
    {
        var path = Path.Combine(directory, FileName);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return MetadataFileState.Absent;
        }
        catch (UnauthorizedAccessException e) when (Directory.Exists(path))
        {
            throw new StoreCorruptedException($"The store's metadata file {path} is a directory.", e);
        }
        using (file)
        {
            if (file.Length == 0) return MetadataFileState.Empty;
            var header = LmdbFileHeader.Read(file);
            new LmdbTreeCheck(file, header).Run();
            return MetadataFileState.Sound;
        }
    }
}
