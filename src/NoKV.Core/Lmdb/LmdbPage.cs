using System.Buffers.Binary;

namespace NoKV.Lmdb;

/// <summary>
/// One page of an LMDB 1.0 data file (64-bit build, the one NoKV ships), read from a copy of its
/// bytes: the header (page number, txnid, pad, flags, lower, upper: 24 bytes), the node pointer
/// array after it, and the nodes the pointers locate. Every accessor bounds-checks against the
/// page, so a garbage page yields <see cref="StoreCorruptedException"/>, never an out-of-range read.
/// Layout from LMDB's mdb.c (MDB_page_header, MDB_node, NODEPTR, NODEDATA).
/// </summary>
internal readonly ref struct LmdbPage(ReadOnlySpan<byte> bytes, long number)
{
    public const int HeaderSize = 24;
    public const ushort BranchFlag = 0x01;
    public const ushort LeafFlag = 0x02;
    public const ushort OverflowFlag = 0x04;
    public const ushort MetaFlag = 0x08;
    private const int NodeHeaderSize = 8; // mn_lo, mn_hi, mn_flags, mn_ksize
    private const ushort BigDataFlag = 0x01;

    private readonly ReadOnlySpan<byte> _bytes = bytes;

    public long Number { get; } = number;

    /// <summary>The page number the page records for itself: LMDB writes it, so anything else is a misplaced or garbage page.</summary>
    public long RecordedNumber => BinaryPrimitives.ReadInt64LittleEndian(_bytes);

    public ushort Flags => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[18..]);
    public bool IsBranch => (Flags & BranchFlag) != 0;
    public bool IsLeaf => (Flags & LeafFlag) != 0;
    public bool IsOverflow => (Flags & OverflowFlag) != 0;

    /// <summary>How many pages an overflow run starting at this page spans.</summary>
    public uint OverflowPages => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[20..]);

    /// <summary>
    /// The number of nodes (NUMKEYS: mp_lower counts the 2-byte pointers after the header; nodes
    /// fill the page from mp_upper to its end).
    /// </summary>
    public int NodeCount
    {
        get
        {
            var lower = BinaryPrimitives.ReadUInt16LittleEndian(_bytes[20..]);
            var upper = BinaryPrimitives.ReadUInt16LittleEndian(_bytes[22..]);
            if ((lower & 1) != 0 || lower > upper || HeaderSize + upper > _bytes.Length) throw Damaged("its free-space bounds are impossible");
            return lower >> 1;
        }
    }

    /// <summary>A leaf node's flags (F_BIGDATA 1, F_SUBDATA 2, F_DUPDATA 4).</summary>
    public ushort LeafFlags(int node) => BinaryPrimitives.ReadUInt16LittleEndian(Node(node)[4..]);

    /// <summary>The child page a branch node points to (48 bits: mn_lo, mn_hi, mn_flags).</summary>
    public long ChildPage(int node)
    {
        var n = Node(node);
        return BinaryPrimitives.ReadUInt16LittleEndian(n) | ((long)BinaryPrimitives.ReadUInt16LittleEndian(n[2..]) << 16) | ((long)BinaryPrimitives.ReadUInt16LittleEndian(n[4..]) << 32);
    }

    /// <summary>A leaf node's value: its bytes when stored in the page, or (empty, with <paramref name="overflowPage"/> set) the overflow page holding them.</summary>
    public ReadOnlySpan<byte> LeafValue(int node, out long overflowPage, out int length)
    {
        var n = Node(node);
        length = BinaryPrimitives.ReadUInt16LittleEndian(n) | (BinaryPrimitives.ReadUInt16LittleEndian(n[2..]) << 16);
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(n[4..]);
        var keySize = BinaryPrimitives.ReadUInt16LittleEndian(n[6..]);
        var dataAt = NodeHeaderSize + ((keySize + 1) & ~1);
        if ((flags & BigDataFlag) != 0)
        {
            if (dataAt + 8 > n.Length || length < 0) throw Damaged("an overflow reference runs past the page");
            overflowPage = BinaryPrimitives.ReadInt64LittleEndian(n[dataAt..]);
            return [];
        }
        if (length < 0 || dataAt + length > n.Length) throw Damaged("a value runs past the page");
        overflowPage = -1;
        return n.Slice(dataAt, length);
    }

    /// <summary>The bytes from the start of a node to the end of the page.</summary>
    private ReadOnlySpan<byte> Node(int index)
    {
        var pointerAt = HeaderSize + 2 * index;
        if (index < 0 || pointerAt + 2 > _bytes.Length) throw Damaged("a node pointer runs past the page");
        var at = HeaderSize + BinaryPrimitives.ReadUInt16LittleEndian(_bytes[pointerAt..]);
        if (at < HeaderSize + BinaryPrimitives.ReadUInt16LittleEndian(_bytes[22..]) || at + NodeHeaderSize > _bytes.Length) throw Damaged("a node lies outside the page's node area");
        var keySize = BinaryPrimitives.ReadUInt16LittleEndian(_bytes[(at + 6)..]);
        if (at + NodeHeaderSize + keySize > _bytes.Length) throw Damaged("a key runs past the page");
        return _bytes[at..];
    }

    public StoreCorruptedException Damaged(string what) =>
        new($"The store's metadata file is damaged: page {Number} is not a valid LMDB page ({what}).");
}
