namespace NoKV.Storage.Local.Extents;

/// <summary>
/// Striped locks for the extent files of one store. A put or delete holds its file's lock shared
/// and its slot's lock exclusively, so puts to different slots of one file run side by side
/// (pipelined uploads) while two writers of one slot take turns; removing an emptied file takes the
/// file's lock exclusively, so no put is writing into a file as it is unlinked. Readers take no
/// lock: they re-read the slot's entry after copying the bytes and retry if it changed.
/// Lock order: file, then slot. Locks are striped by hash, so unrelated files may share a stripe
/// (only ever a wait, never a deadlock, as the order is the same for all). The locks live as long
/// as the store and are never disposed: an operation may still be leaving one as the store closes.
/// </summary>
internal sealed class ExtentLocks
{
    private readonly ReaderWriterLockSlim[] _files = new ReaderWriterLockSlim[64];
    private readonly object[] _slots = new object[256];

    public ExtentLocks()
    {
        for (var i = 0; i < _files.Length; i++) _files[i] = new ReaderWriterLockSlim(LockRecursionPolicy.NoRecursion);
        for (var i = 0; i < _slots.Length; i++) _slots[i] = new object();
    }

    /// <summary>Holds the file's lock shared and the slot's exclusively until disposed.</summary>
    public SlotScope EnterSlot(string filePath, int slot)
    {
        var file = FileLock(filePath);
        file.EnterReadLock();
        var slotLock = _slots[(uint)HashCode.Combine(StringComparer.Ordinal.GetHashCode(filePath), slot) % (uint)_slots.Length];
        try
        {
            Monitor.Enter(slotLock);
        }
        catch
        {
            file.ExitReadLock();
            throw;
        }
        return new SlotScope(file, slotLock);
    }

    /// <summary>Holds the file's lock exclusively until disposed (no put or delete of any of its slots runs).</summary>
    public FileScope EnterFile(string filePath)
    {
        var file = FileLock(filePath);
        file.EnterWriteLock();
        return new FileScope(file);
    }

    private ReaderWriterLockSlim FileLock(string filePath) =>
        _files[(uint)StringComparer.Ordinal.GetHashCode(filePath) % (uint)_files.Length];

    internal readonly struct SlotScope(ReaderWriterLockSlim file, object slot) : IDisposable
    {
        public void Dispose()
        {
            Monitor.Exit(slot);
            file.ExitReadLock();
        }
    }

    internal readonly struct FileScope(ReaderWriterLockSlim file) : IDisposable
    {
        public void Dispose() => file.ExitWriteLock();
    }
}
