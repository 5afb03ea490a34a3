using System.Buffers;
using System.IO.Hashing;

namespace NoKV.Storage.Local.Extents;

/// <summary>Where a block key lives in the extent layout: the extent file of its directory and its slot there.</summary>
internal readonly record struct ExtentAddress(string FilePath, int Slot);

/// <summary>
/// The extent side of the local store: a key "{directory}/{n}" (n a chunk number in plain decimal,
/// below <see cref="ExtentFormat.Entries"/>) may live in slot n of "{directory}/~extent". Puts and
/// deletes run under <see cref="Locks"/> (taken by the caller, who also decides between a slot
/// and a block file); reads take no lock and retry when the slot's entry changed under them.
/// </summary>
internal sealed class ExtentBlocks(string root, int slotSize, bool durable)
{
    private const int MaxReadAttempts = 16;
    private readonly VerifiedSlots _verified = new();
    private readonly object _creation = new();
    private readonly ExtentReadHandles _readHandles = new();

    public ExtentLocks Locks { get; } = new();

    /// <summary>The slot size new extent files get.</summary>
    public int SlotSize => slotSize;

    /// <summary>The extent address of a key, or false when the layout cannot hold it (no parent segment, or a last segment that is not a chunk number).</summary>
    public bool TryAddress(string key, out ExtentAddress address)
    {
        address = default;
        var slash = key.LastIndexOf('/');
        if (slash <= 0) return false;
        var last = key.AsSpan(slash + 1);
        if (last.Length is 0 or > 5 || (last.Length > 1 && last[0] == '0')) return false;
        var slot = 0;
        foreach (var c in last)
        {
            if (c is < '0' or > '9') return false;
            slot = slot * 10 + (c - '0');
        }
        if (slot >= ExtentFormat.Entries) return false;
        var directory = Path.Combine(root, key[..slash].Replace('/', Path.DirectorySeparatorChar));
        address = new ExtentAddress(Path.Combine(directory, ExtentFormat.FileName), slot);
        return true;
    }

    /// <summary>
    /// Writes the block into its slot if the slot is free and the block fits; false (nothing
    /// written) when the slot holds a block already, the block is empty or larger than the file's
    /// slots. Caller holds the slot's lock.
    /// </summary>
    public bool TryWriteIntoEmptySlot(ExtentAddress address, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0 || data.Length > slotSize) return false;
        using var file = ExtentFile.OpenOrCreate(address.FilePath, slotSize, _creation);
        if (data.Length > file.SlotSize || file.TryReadEntry(address.Slot, out _)) return false;
        var entry = file.WriteSlot(address.Slot, data, durable);
        _verified.MarkVerified(address.FilePath, address.Slot, entry.Nonce);
        return true;
    }

    /// <summary>Empties the slot; true if it held a block. Caller holds the slot's lock.</summary>
    public bool Clear(ExtentAddress address)
    {
        using var file = ExtentFile.TryOpen(address.FilePath, writable: true);
        if (file is null || !file.TryReadEntry(address.Slot, out _)) return false;
        _verified.Forget(address.FilePath, address.Slot);
        file.ClearSlot(address.Slot, durable);
        return true;
    }

    /// <summary>Deletes the extent file if no slot holds a block; true if it did. Takes the file's lock exclusively.</summary>
    public bool DeleteFileIfEmpty(ExtentAddress address)
    {
        using var scope = Locks.EnterFile(address.FilePath);
        using (var file = ExtentFile.TryOpen(address.FilePath, writable: false))
        {
            if (file is null || !file.IsEmpty()) return false;
        }
        File.Delete(address.FilePath);
        _readHandles.Forget(address.FilePath);
        return true;
    }

    /// <summary>
    /// Reads from the slot like <see cref="IBlockStore.ReadAsync"/>, or returns -1 when the slot
    /// holds no whole block (empty, never completed, torn by a crash, deleted meanwhile).
    /// </summary>
    public int TryRead(ExtentAddress address, long offset, Span<byte> destination)
    {
        for (var attempt = 0; attempt < MaxReadAttempts; attempt++)
        {
            using var lease = _readHandles.Acquire(address.FilePath);
            var file = lease?.File;
            if (file is null || !file.TryReadEntry(address.Slot, out var before)) return -1;
            var read = ReadVerified(file, address, before, offset, destination);
            if (read < 0) return -1;
            // A delete or replacement may have emptied the slot while we copied: the entry tells.
            if (file.TryReadEntry(address.Slot, out var after) && after == before) return read;
        }
        throw new IOException($"Slot {address.Slot} of '{address.FilePath}' kept changing while being read.");
    }

    /// <summary>Closes the read handles kept between reads.</summary>
    public void CloseHandles() => _readHandles.ForgetAll();

    /// <summary>True if the slot holds a whole block (its bytes are checked once per store, as for a read).</summary>
    public bool Exists(ExtentAddress address) => TryRead(address, 0, []) >= 0;

    private int ReadVerified(ExtentFile file, ExtentAddress address, SlotEntry entry, long offset, Span<byte> destination)
    {
        if (_verified.IsVerified(address.FilePath, address.Slot, entry.Nonce))
        {
            if (offset >= entry.Length) return 0;
            var wanted = (int)Math.Min(destination.Length, entry.Length - offset);
            return file.ReadData(address.Slot, (int)offset, destination[..wanted]) == wanted ? wanted : -1;
        }
        // First read of this slot since the store opened: check the whole slot against its hash,
        // straight in the caller's buffer when it asks for all of it (NoKV reads whole chunks).
        if (offset == 0 && destination.Length >= entry.Length)
        {
            var whole = destination[..entry.Length];
            if (file.ReadData(address.Slot, 0, whole) != entry.Length || XxHash3.HashToUInt64(whole) != entry.DataHash) return -1;
            _verified.MarkVerified(address.FilePath, address.Slot, entry.Nonce);
            return entry.Length;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(entry.Length);
        try
        {
            var bytes = buffer.AsSpan(0, entry.Length);
            if (file.ReadData(address.Slot, 0, bytes) != entry.Length || XxHash3.HashToUInt64(bytes) != entry.DataHash) return -1;
            _verified.MarkVerified(address.FilePath, address.Slot, entry.Nonce);
            if (offset >= entry.Length) return 0;
            var wanted = (int)Math.Min(destination.Length, entry.Length - offset);
            bytes.Slice((int)offset, wanted).CopyTo(destination);
            return wanted;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
