namespace NoKV.Tests;

/// <summary>
/// What a killed process leaves of an open store: its committed metadata file, its identity file
/// and its block files, copied while it runs (LMDB's lock file is rebuilt by the next open). The
/// deferred-durability tests open such copies to see exactly what a crash would keep.
/// </summary>
internal static class CrashImage
{
    /// <summary>Copies the store in <paramref name="storeDirectory"/> into <paramref name="imageDirectory"/>.</summary>
    public static void Take(string storeDirectory, string imageDirectory)
    {
        Directory.CreateDirectory(Path.Combine(imageDirectory, "meta"));
        File.Copy(Path.Combine(storeDirectory, "meta", "data.mdb"), Path.Combine(imageDirectory, "meta", "data.mdb"));
        File.Copy(Path.Combine(storeDirectory, StoreIdentityFile.FileName), Path.Combine(imageDirectory, StoreIdentityFile.FileName));
        var blocks = Path.Combine(storeDirectory, "blocks");
        foreach (var file in Directory.Exists(blocks) ? Directory.EnumerateFiles(blocks, "*", SearchOption.AllDirectories) : [])
        {
            var target = Path.Combine(imageDirectory, Path.GetRelativePath(storeDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            try { File.Copy(file, target); }
            catch (FileNotFoundException) { } // a temporary file renamed or deleted while copying
        }
    }
}
