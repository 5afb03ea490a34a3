using System.Buffers.Binary;

namespace NoKV.Lmdb;

/// <summary>
/// Key encodings. Versioned records carry the layer id inverted (~layer), so within one logical
/// key the newest layer sorts first: a lookup seeks to (key, ~view) and walks forward through
/// older layers only. Layer ids grow from parent to child, so the first version whose layer is
/// on the view's ancestor chain is the visible one.
/// </summary>
internal static class Keys
{
    public const byte IndexInode = 1;
    public const byte IndexDentry = 2;

    public static byte[] U64(long value)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, value);
        return key;
    }

    public static long ReadU64(ReadOnlySpan<byte> key, int offset = 0) => BinaryPrimitives.ReadInt64BigEndian(key[offset..]);

    public static byte[] Pair(long a, long b)
    {
        var key = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(key, a);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(8), b);
        return key;
    }

    // ---- inodes: (ino, ~layer)
    public static byte[] Inode(long ino, long layer) => Pair(ino, ~layer);
    public static byte[] InodePrefix(long ino) => U64(ino);
    public static long InodeLayer(ReadOnlySpan<byte> key) => ~ReadU64(key, 8);
    public static long InodeIno(ReadOnlySpan<byte> key) => ReadU64(key);

    // ---- dentries: (parent, name, 0x00, ~layer). Names never contain NUL, so the 0x00 keeps
    // every version of one name contiguous and before any longer name that extends it.
    public static byte[] DentryPrefix(long parent, ReadOnlySpan<byte> name)
    {
        var key = new byte[8 + name.Length + 1];
        BinaryPrimitives.WriteInt64BigEndian(key, parent);
        name.CopyTo(key.AsSpan(8));
        return key;
    }

    public static byte[] Dentry(long parent, ReadOnlySpan<byte> name, long layer)
    {
        var key = new byte[8 + name.Length + 1 + 8];
        BinaryPrimitives.WriteInt64BigEndian(key, parent);
        name.CopyTo(key.AsSpan(8));
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(8 + name.Length + 1), ~layer);
        return key;
    }

    public static long DentryParent(ReadOnlySpan<byte> key) => ReadU64(key);
    public static ReadOnlySpan<byte> DentryName(ReadOnlySpan<byte> key) => key[8..^9];
    public static long DentryLayer(ReadOnlySpan<byte> key) => ~ReadU64(key, key.Length - 8);

    /// <summary>The dentry key with its layer suffix removed (parent, name, 0).</summary>
    public static byte[] DentryLogical(ReadOnlySpan<byte> key) => key[..^8].ToArray();

    // ---- layer index: (layer, type, record key)
    public static byte[] LayerIndex(long layer, byte type, ReadOnlySpan<byte> recordKey)
    {
        var key = new byte[9 + recordKey.Length];
        BinaryPrimitives.WriteInt64BigEndian(key, layer);
        key[8] = type;
        recordKey.CopyTo(key.AsSpan(9));
        return key;
    }

    // ---- generations and chunks: generation ids are unique across the store
    public static byte[] Generation(long gen) => U64(gen);

    public static byte[] Chunk(long gen, int index)
    {
        var key = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(key, gen);
        BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(8), index);
        return key;
    }
}
