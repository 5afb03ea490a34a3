using System.Buffers.Binary;
using System.IO.Hashing;

namespace NoKV.Storage.Local.Extents;

/// <summary>
/// The on-disk format of an extent file ("{generation directory}/~extent"), which holds the chunks
/// "{directory}/0", "{directory}/1", ... of one generation at fixed offsets:
/// <code>
/// [0, 4096)                      file header: magic "NoKVEXT1", version, slot size, entry count, hash
/// [4096, 4096 + 64 × Entries)    slot table: one 64-byte entry per slot (zero = empty)
/// DataStart + i × SlotSize       slot i's bytes (DataStart = 4096 + 64 × Entries, a multiple of 4096)
/// </code>
/// A slot entry: magic, length, XxHash3 of the slot's bytes, a random nonce per put, the put's
/// time (Unix ms), and an XxHash3 of the entry itself. A put writes the bytes, then the entry, then
/// syncs once, so after a crash an entry whose bytes did not all reach the disk fails its hash and
/// the slot reads as empty. All integers are little-endian.
/// </summary>
internal static class ExtentFormat
{
    /// <summary>The extent file's name inside a generation directory: '~' is not a key character, so no key can name it.</summary>
    public const string FileName = "~extent";

    public const int HeaderSize = 4096;
    public const int EntrySize = 64;
    public const int Entries = 16384;
    public const long DataStart = HeaderSize + (long)EntrySize * Entries;
    public const int Version = 1;
    public const int SlotAlignment = 4096;

    private const ulong HeaderMagic = 0x31545845564B6F4E; // "NoKVEXT1"
    private const uint EntryMagic = 0x31534B4E; // "NKS1"
    private const int HashedHeaderBytes = 56;

    public static long EntryOffset(int slot) => HeaderSize + (long)slot * EntrySize;

    public static long DataOffset(int slot, int slotSize) => DataStart + (long)slot * slotSize;

    public static void WriteHeader(Span<byte> header, int slotSize)
    {
        header.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(header, HeaderMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], slotSize);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], Entries);
        BinaryPrimitives.WriteUInt64LittleEndian(header[HashedHeaderBytes..], XxHash3.HashToUInt64(header[..HashedHeaderBytes]));
    }

    /// <summary>The slot size a header names, or 0 when the header is not a whole, known one.</summary>
    public static int ReadSlotSize(ReadOnlySpan<byte> header)
    {
        if (header.Length < HashedHeaderBytes + 8) return 0;
        if (BinaryPrimitives.ReadUInt64LittleEndian(header) != HeaderMagic) return 0;
        if (BinaryPrimitives.ReadUInt64LittleEndian(header[HashedHeaderBytes..]) != XxHash3.HashToUInt64(header[..HashedHeaderBytes])) return 0;
        if (BinaryPrimitives.ReadInt32LittleEndian(header[8..]) != Version || BinaryPrimitives.ReadInt32LittleEndian(header[16..]) != Entries) return 0;
        var slotSize = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        return slotSize > 0 && slotSize % SlotAlignment == 0 ? slotSize : 0;
    }

    public static void WriteEntry(Span<byte> entry, in SlotEntry value)
    {
        entry[..EntrySize].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(entry, EntryMagic);
        BinaryPrimitives.WriteInt32LittleEndian(entry[4..], value.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], value.DataHash);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[16..], value.Nonce);
        BinaryPrimitives.WriteInt64LittleEndian(entry[24..], value.WrittenUnixMs);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[HashedHeaderBytes..], XxHash3.HashToUInt64(entry[..HashedHeaderBytes]));
    }

    /// <summary>Decodes an entry; false for an empty, torn or foreign one, or one longer than the slot.</summary>
    public static bool TryReadEntry(ReadOnlySpan<byte> entry, int slotSize, out SlotEntry value)
    {
        value = default;
        if (BinaryPrimitives.ReadUInt32LittleEndian(entry) != EntryMagic) return false;
        if (BinaryPrimitives.ReadUInt64LittleEndian(entry[HashedHeaderBytes..]) != XxHash3.HashToUInt64(entry[..HashedHeaderBytes])) return false;
        var length = BinaryPrimitives.ReadInt32LittleEndian(entry[4..]);
        if (length < 0 || length > slotSize) return false;
        value = new SlotEntry(length, BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]), BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]), BinaryPrimitives.ReadInt64LittleEndian(entry[24..]));
        return true;
    }
}

/// <summary>One slot's entry: how many bytes it holds, their hash, the put's nonce and time.</summary>
internal readonly record struct SlotEntry(int Length, ulong DataHash, ulong Nonce, long WrittenUnixMs);
