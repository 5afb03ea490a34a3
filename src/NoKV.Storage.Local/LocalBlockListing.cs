namespace NoKV.Storage.Local;

/// <summary>
/// Lists a block directory by plain string prefix (<see cref="IBlockStore.ListAsync"/>'s rule), so
/// local disk and S3 answer the same: "1/2" matches "1/2/…" and "1/20/…". The whole segments of the
/// prefix name a directory to start in; its last, partial segment filters that directory's
/// entries by name; everything below a matching entry is listed. Temporary files are skipped,
/// and a file or directory removed while the walk runs (a concurrent delete) is skipped too.
/// </summary>
internal static class LocalBlockListing
{
    public static IEnumerable<BlockInfo> List(string root, string prefix)
    {
        var slash = prefix.LastIndexOf('/');
        var directoryKey = slash < 0 ? "" : prefix[..slash];
        var namePrefix = prefix[(slash + 1)..];
        var start = directoryKey.Length == 0 ? root : Path.Combine(root, directoryKey.Replace('/', Path.DirectorySeparatorChar));
        foreach (var entry in Entries(start))
        {
            var name = Path.GetFileName(entry);
            if (!name.StartsWith(namePrefix, StringComparison.Ordinal)) continue;
            foreach (var block in Below(root, entry)) yield return block;
        }
    }

    /// <summary>The block at <paramref name="path"/> if it is a file, or every block below it if it is a directory.</summary>
    private static IEnumerable<BlockInfo> Below(string root, string path)
    {
        var pending = new Stack<string>();
        pending.Push(path);
        while (pending.TryPop(out var current))
        {
            var name = Path.GetFileName(current);
            if (name.StartsWith(BlockKeyRules.ReservedSegmentPrefix, StringComparison.Ordinal)) continue;
            var file = new FileInfo(current);
            if (file.Exists)
            {
                var key = Path.GetRelativePath(root, current).Replace(Path.DirectorySeparatorChar, '/');
                yield return new BlockInfo(key, file.Length, file.LastWriteTimeUtc);
                continue;
            }
            foreach (var child in Entries(current)) pending.Push(child);
        }
    }

    private static List<string> Entries(string directory)
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries(directory)];
        }
        catch (DirectoryNotFoundException)
        {
            return []; // never created, pruned by a concurrent delete, or a file (a key, not a directory)
        }
        catch (IOException) when (File.Exists(directory))
        {
            return [];
        }
    }
}
