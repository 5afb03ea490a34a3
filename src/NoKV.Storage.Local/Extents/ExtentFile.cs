using System.IO.Hashing;
using System.Security.Cryptography;

namespace NoKV.Storage.Local.Extents;

/// <summary>
/// One open extent file (see <see cref="ExtentFormat"/>): reads and writes slot entries and slot
/// bytes at their offsets. Holds no locks; <see cref="ExtentBlocks"/> orders the callers.
/// </summary>
internal sealed class ExtentFile : IDisposable
{
    private readonly FileStream _stream;

    private ExtentFile(string path, FileStream stream, int slotSize)
    {
        Path = path;
        _stream = stream;
        SlotSize = slotSize;
    }

    public string Path { get; }

    /// <summary>The slot size the file's header names; 0 when the header is unreadable (the file then holds no slot).</summary>
    public int SlotSize { get; }

    /// <summary>Opens an existing extent file, or returns null when there is none.</summary>
    public static ExtentFile? TryOpen(string path, bool writable)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, writable ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0,
                writable ? FileOptions.None : FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            return null;
        }
        return new ExtentFile(path, stream, ReadHeader(stream));
    }

    /// <summary>
    /// Opens the extent file, creating it with <paramref name="slotSize"/> if there is none. A new
    /// file is made whole (header written) under a temporary name and renamed into place, so a
    /// reader never sees a file without its header. Creators hold <paramref name="creationLock"/>
    /// (one store per directory, one process per store), so no creator replaces another's file
    /// (File.Move may fall back to a check-then-rename that is not atomic).
    /// </summary>
    public static ExtentFile OpenOrCreate(string path, int slotSize, object creationLock)
    {
        if (TryOpen(path, writable: true) is { } existing) return existing;
        var header = new byte[ExtentFormat.HeaderSize];
        ExtentFormat.WriteHeader(header, slotSize);
        lock (creationLock)
        {
            for (var attempt = 0; ; attempt++)
            {
                if (TryOpen(path, writable: true) is { } created) return created;
                var dir = System.IO.Path.GetDirectoryName(path)!;
                var temp = System.IO.Path.Combine(dir, BlockKeyRules.ReservedSegmentPrefix + Guid.NewGuid().ToString("N"));
                try
                {
                    Directory.CreateDirectory(dir);
                    using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.None))
                    {
                        file.Write(header);
                    }
                    File.Move(temp, path, overwrite: false);
                }
                catch (FileNotFoundException) when (attempt < 5)
                {
                    // Maintenance took our temporary file for a crashed write's leftover: try again.
                }
                catch (DirectoryNotFoundException) when (attempt < 5)
                {
                    // A delete pruned the directory between our create and the file: try again.
                }
                finally
                {
                    try { File.Delete(temp); }
                    catch (IOException) { }
                    catch (UnauthorizedAccessException) { }
                }
            }
        }
    }

    private static int ReadHeader(FileStream stream)
    {
        Span<byte> header = stackalloc byte[64];
        return RandomAccess.Read(stream.SafeFileHandle, header, 0) == header.Length ? ExtentFormat.ReadSlotSize(header) : 0;
    }

    public bool TryReadEntry(int slot, out SlotEntry entry)
    {
        entry = default;
        if (SlotSize == 0) return false;
        Span<byte> bytes = stackalloc byte[ExtentFormat.EntrySize];
        if (RandomAccess.Read(_stream.SafeFileHandle, bytes, ExtentFormat.EntryOffset(slot)) != bytes.Length) return false;
        return ExtentFormat.TryReadEntry(bytes, SlotSize, out entry);
    }

    /// <summary>Reads slot bytes from <paramref name="offset"/> into <paramref name="destination"/>; fewer only where the file ends.</summary>
    public int ReadData(int slot, int offset, Span<byte> destination)
    {
        var start = ExtentFormat.DataOffset(slot, SlotSize) + offset;
        var total = 0;
        while (total < destination.Length)
        {
            var n = RandomAccess.Read(_stream.SafeFileHandle, destination[total..], start + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>
    /// Writes a slot: its bytes, then its entry, then (when <paramref name="durable"/>) one flush.
    /// The entry comes last so a reader in this process that sees it sees all the bytes; after a
    /// crash, the entry's hash of the bytes tells a whole slot from a torn one.
    /// </summary>
    public SlotEntry WriteSlot(int slot, ReadOnlySpan<byte> data, bool durable)
    {
        var handle = _stream.SafeFileHandle;
        RandomAccess.Write(handle, data, ExtentFormat.DataOffset(slot, SlotSize));
        var entry = new SlotEntry(data.Length, XxHash3.HashToUInt64(data), RandomNonce(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Span<byte> bytes = stackalloc byte[ExtentFormat.EntrySize];
        ExtentFormat.WriteEntry(bytes, entry);
        RandomAccess.Write(handle, bytes, ExtentFormat.EntryOffset(slot));
        if (durable) NativeFile.FlushData(handle, _stream);
        return entry;
    }

    /// <summary>Empties a slot: zeroes its entry (it reads as absent from then on), then frees its bytes' disk space where the file system can.</summary>
    public void ClearSlot(int slot, bool durable)
    {
        var handle = _stream.SafeFileHandle;
        RandomAccess.Write(handle, new byte[ExtentFormat.EntrySize], ExtentFormat.EntryOffset(slot));
        if (SlotSize > 0) NativeFile.TryPunchHole(handle, ExtentFormat.DataOffset(slot, SlotSize), SlotSize);
        if (durable) NativeFile.FlushData(handle, _stream);
    }

    /// <summary>Every slot with a whole entry (read from the slot table only, never the bytes).</summary>
    public IEnumerable<(int Slot, SlotEntry Entry)> Entries()
    {
        if (SlotSize == 0) yield break;
        var count = SlotsCovered();
        var table = new byte[count * ExtentFormat.EntrySize];
        var read = RandomAccess.Read(_stream.SafeFileHandle, table, ExtentFormat.HeaderSize);
        for (var slot = 0; slot < count && (slot + 1) * ExtentFormat.EntrySize <= read; slot++)
        {
            if (ExtentFormat.TryReadEntry(table.AsSpan(slot * ExtentFormat.EntrySize, ExtentFormat.EntrySize), SlotSize, out var entry)) yield return (slot, entry);
        }
    }

    /// <summary>True when no slot holds a whole entry.</summary>
    public bool IsEmpty() => !Entries().Any();

    // Slots whose bytes could lie inside the file: a slot's entry is written only after its bytes
    // (and empty blocks never go to a slot), so no whole entry exists beyond the last slot the
    // file's length reaches. Keeps a listing of a small file from reading the whole table.
    private int SlotsCovered()
    {
        var length = _stream.Length;
        if (length <= ExtentFormat.DataStart) return 0;
        return (int)Math.Min(ExtentFormat.Entries, (length - ExtentFormat.DataStart + SlotSize - 1) / SlotSize);
    }

    private static ulong RandomNonce()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }

    public void Dispose() => _stream.Dispose();
}
