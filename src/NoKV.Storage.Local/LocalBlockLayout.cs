using NoKV.Storage.Local.Extents;

namespace NoKV.Storage.Local;

/// <summary>
/// The local store's two layouts side by side: a chunk "{directory}/{n}" goes to slot n of the
/// directory's extent file (<see cref="ExtentBlocks"/>), so a generation's chunks lie one after
/// another in one file; anything a slot cannot take (a key that is not a chunk number, an empty
/// block or one larger than the slots, a replacement of a stored block) and every block of a store
/// written before extents is a file of its own (<see cref="LocalBlockDirectory"/>). A read tries
/// the slot first, then the block file; a replacement writes the block file, then empties the
/// slot, so whichever a reader finds is a whole, completed put.
/// </summary>
internal sealed class LocalBlockLayout
{
    private readonly LocalBlockDirectory _files;
    private readonly ExtentBlocks? _extents;

    /// <param name="rootDirectory">The directory that holds the block files.</param>
    /// <param name="durable">Whether a put flushes to disk before it returns.</param>
    /// <param name="slotSize">The slot size of new extent files; 0 for one file per block only.</param>
    public LocalBlockLayout(string rootDirectory, bool durable, int slotSize)
    {
        _files = new LocalBlockDirectory(rootDirectory, durable);
        _extents = slotSize > 0 ? new ExtentBlocks(_files.RootDirectory, slotSize, durable) : null;
    }

    public string RootDirectory => _files.RootDirectory;

    public LocalBlockDirectory Files => _files;

    public void Write(string key, ReadOnlySpan<byte> data)
    {
        if (_extents is null || !_extents.TryAddress(key, out var address))
        {
            _files.Write(key, data);
            return;
        }
        bool cleared;
        using (_extents.Locks.EnterSlot(address.FilePath, address.Slot))
        {
            if (_files.GetLength(key) < 0 && _extents.TryWriteIntoEmptySlot(address, data)) return;
            _files.Write(key, data);
            cleared = _extents.Clear(address);
        }
        if (cleared) DeleteExtentIfEmpty(address);
    }

    /// <exception cref="FileNotFoundException">The block does not exist.</exception>
    public int Read(string key, long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (_extents is not null && _extents.TryAddress(key, out var address))
        {
            var read = _extents.TryRead(address, offset, destination);
            if (read >= 0) return read;
        }
        return _files.Read(key, offset, destination);
    }

    public bool Exists(string key) =>
        (_extents is not null && _extents.TryAddress(key, out var address) && _extents.Exists(address)) || _files.GetLength(key) >= 0;

    public bool Delete(string key)
    {
        if (_extents is null || !_extents.TryAddress(key, out var address)) return _files.Delete(key);
        bool cleared, deleted;
        using (_extents.Locks.EnterSlot(address.FilePath, address.Slot))
        {
            cleared = _extents.Clear(address);
            deleted = _files.Delete(key);
        }
        if (cleared) DeleteExtentIfEmpty(address);
        return cleared || deleted;
    }

    /// <summary>Closes the extent read handles kept between reads (the store is closing).</summary>
    public void CloseHandles() => _extents?.CloseHandles();

    private void DeleteExtentIfEmpty(ExtentAddress address)
    {
        if (_extents!.DeleteFileIfEmpty(address)) _files.PruneEmptyParents(Path.GetDirectoryName(address.FilePath)!);
    }
}
