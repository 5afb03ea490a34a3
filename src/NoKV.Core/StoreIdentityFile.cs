using System.Globalization;

namespace NoKV;

/// <summary>
/// {store}/nokv.identity: a small text file, written when a store is created (after its metadata
/// committed, so a crash between the two leaves a store that opens and gets the file then), that
/// names the store's id and metadata format. Its presence says "this directory has held a store",
/// so missing or empty metadata beside it is damage, not a new store; its id must match the
/// metadata's, so metadata from another store is refused too. Stores from before the file
/// existed get it on their first open.
/// </summary>
internal sealed class StoreIdentityFile
{
    public const string FileName = "nokv.identity";

    private StoreIdentityFile(bool exists, Guid? id)
    {
        Exists = exists;
        StoreId = id;
    }

    /// <summary>True if the file exists (even if unreadable: it still shows a store was here).</summary>
    public bool Exists { get; }

    /// <summary>The id it names, or null if it is missing or unreadable.</summary>
    public Guid? StoreId { get; }

    public static StoreIdentityFile Read(string storeDirectory)
    {
        var path = Path.Combine(storeDirectory, FileName);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new StoreIdentityFile(false, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something is there (a directory, an unreadable file): it still shows a store was.
            return new StoreIdentityFile(true, null);
        }
        foreach (var line in lines)
        {
            if (line.StartsWith("id ", StringComparison.Ordinal) && Guid.TryParseExact(line[3..], "N", out var id)) return new StoreIdentityFile(true, id);
        }
        return new StoreIdentityFile(true, null);
    }

    /// <summary>Writes the file atomically (a flushed temporary file renamed into place).</summary>
    public static void Write(string storeDirectory, Guid storeId)
    {
        var path = Path.Combine(storeDirectory, FileName);
        var temp = path + ".tmp";
        var text = string.Create(CultureInfo.InvariantCulture,
            $"nokv store\nid {storeId:N}\nformat {Lmdb.StoreFormat.Version}\n# Written when the store was created. Keep it with meta/: without it, a store whose metadata is lost cannot tell.\n");
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(text));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
