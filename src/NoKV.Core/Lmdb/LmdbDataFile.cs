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
/// past the end of a file cut short kills the process that touches it (SIGBUS), which no
/// exception handler can catch. So the meta pages are read with plain file I/O first, and the
/// file must hold every page the newest transaction allocated (or, for the pages it lacks, the
/// free-page tree must list them: LMDB never writes a page allocated and freed in one
/// transaction). Costs two small reads for a healthy file.
/// </summary>
internal static class LmdbDataFile
{
    public const string FileName = "data.mdb";

    // Pages a healthy file may lack are loose pages of recent transactions: a few, never millions.
    private const long MostMissingPages = 1 << 16;

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
        using (file)
        {
            if (file.Length == 0) return MetadataFileState.Empty;
            var header = LmdbFileHeader.Read(file);
            if (file.Length >= header.AllocatedBytes) return MetadataFileState.Sound;
            var firstMissing = file.Length / header.PageSize;
            if (header.LastPage - firstMissing >= MostMissingPages || !new LmdbFreePages(file, header).CoverAllFrom(firstMissing))
            {
                throw LmdbFileHeader.Damaged(
                    $"{path} is {file.Length} bytes long but its newest transaction uses pages up to byte {header.AllocatedBytes} (was it cut short?)");
            }
            return MetadataFileState.Sound;
        }
    }
}
