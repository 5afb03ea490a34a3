using NoKV.Storage.Local.Extents;

namespace NoKV.Storage.Local;

/// <summary>
/// Lists a block directory by plain string prefix (<see cref="IBlockStore.ListAsync"/>'s rule), so
/// local disk and S3 answer the same: "1/2" matches "1/2/…" and "1/20/…". The whole segments of the
/// prefix name a directory to start in; its last, partial segment filters that directory's
/// entries by name; everything below a matching entry is listed. A directory's extent file adds
/// the blocks its slot table names (the table only, never the blocks' bytes); a block file with
/// the same name as a slot (a replacement a crash interrupted) is listed once. Temporary files are
/// skipped, and a file or directory removed while the walk runs (a concurrent delete) is skipped too.
/// </summary>
internal static class LocalBlockListing
{
    public static IEnumerable<BlockInfo> List(string root, string prefix)
    {
        var slash = prefix.LastIndexOf('/');
        var directoryKey = slash < 0 ? "" : prefix[..slash];
        var namePrefix = prefix[(slash + 1)..];
        var start = directoryKey.Length == 0 ? root : Path.Combine(root, directoryKey.Replace('/', Path.DirectorySeparatorChar));
        return InDirectory(start, directoryKey, namePrefix);
    }

    /// <summary>The blocks of <paramref name="directory"/> whose names start with <paramref name="namePrefix"/>, and every block below its matching subdirectories.</summary>
    private static IEnumerable<BlockInfo> InDirectory(string directory, string directoryKey, string namePrefix)
    {
        var entries = Entries(directory);
        var slots = new HashSet<string>(StringComparer.Ordinal);
        if (entries.Any(e => Path.GetFileName(e) == ExtentFormat.FileName))
        {
            foreach (var (slot, entry) in SlotsOf(Path.Combine(directory, ExtentFormat.FileName)))
            {
                var name = slot.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!name.StartsWith(namePrefix, StringComparison.Ordinal)) continue;
                slots.Add(name);
                yield return new BlockInfo(KeyOf(directoryKey, name), entry.Length, DateTimeOffset.FromUnixTimeMilliseconds(entry.WrittenUnixMs).UtcDateTime);
            }
        }
        foreach (var path in entries)
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith(BlockKeyRules.ReservedSegmentPrefix, StringComparison.Ordinal) || name == ExtentFormat.FileName) continue;
            if (!name.StartsWith(namePrefix, StringComparison.Ordinal)) continue;
            var file = new FileInfo(path);
            if (file.Exists)
            {
                if (!slots.Contains(name)) yield return new BlockInfo(KeyOf(directoryKey, name), file.Length, file.LastWriteTimeUtc);
                continue;
            }
            foreach (var block in InDirectory(path, KeyOf(directoryKey, name), "")) yield return block;
        }
    }

    private static List<(int Slot, SlotEntry Entry)> SlotsOf(string extentPath)
    {
        using var file = ExtentFile.TryOpen(extentPath, writable: false);
        return file is null ? [] : [.. file.Entries()];
    }

    private static string KeyOf(string directoryKey, string name) => directoryKey.Length == 0 ? name : directoryKey + "/" + name;

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
