namespace NoKV.Lmdb;

/// <summary>
/// Exclusive ownership of a store directory for as long as it is open. LMDB would let two
/// processes share the metadata, but NoKV keeps per-owner state in memory (id ranges, write
/// sessions in flight, read leases that hold off GC), so a second owner could hand out the same
/// ids or collect blocks the first is still using. .NET takes an advisory lock (flock) for
/// FileShare.None, so the lock goes away with the process, however it ends.
/// </summary>
internal sealed class StoreLock : IDisposable
{
    private readonly FileStream _file;

    private StoreLock(FileStream file) => _file = file;

    public static StoreLock Acquire(string directory)
    {
        var path = Path.Combine(directory, "nokv.lock");
        // Who holds the lock goes in a separate file: .NET refuses to open the locked one at all.
        var ownerPath = Path.Combine(directory, "nokv.owner");
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            try
            {
                File.WriteAllText(ownerPath, $"pid {Environment.ProcessId} on {Environment.MachineName}");
            }
            catch
            {
                // Let go of the lock, or the store stays locked for the rest of this process.
                file.Dispose();
                throw;
            }
            return new StoreLock(file);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new StoreLockedException(directory, ReadOwner(ownerPath), e);
        }
    }

    private static string? ReadOwner(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
    }

    public void Dispose() => _file.Dispose();
}
