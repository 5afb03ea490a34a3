using System.Buffers.Binary;

namespace NoKV.Lmdb;

/// <summary>
/// The newer of the two meta pages at the front of an LMDB data file, read with plain file I/O
/// before LMDB maps the file. Layout (LMDB 1.0, 64-bit, from mdb.c's MDB_meta after the 24-byte
/// page header): mm_magic 0xBEEFC0DE, mm_version 3, mm_address, mm_mapsize, two MDB_db records
/// (the free-page tree, whose md_pad holds the page size, and the main tree), mm_last_pg,
/// mm_txnid. LMDB reads both meta pages and uses the one with the larger txnid.
/// </summary>
internal sealed class LmdbFileHeader
{
    private const uint Magic = 0xBEEFC0DE;
    private const uint DataVersion = 3;
    private const int MinPageSize = 512;
    private const int MaxPageSize = 0x10000;
    private const int MetaPages = 2;
    private const long NoPage = -1; // P_INVALID, ~0, read as a signed number

    // Offsets inside a meta page.
    private const int MagicAt = 24;
    private const int VersionAt = 28;
    private const int FreeTreeAt = 48;
    private const int MainTreeAt = 96;
    private const int LastPageAt = 144;
    private const int TxnIdAt = 152;
    private const int MetaSize = 160;

    // Offsets inside an MDB_db record.
    private const int DbPadAt = 0;
    private const int DbRootAt = 40;

    private LmdbFileHeader(int pageSize, long lastPage, long txnId, long freeRoot, long mainRoot)
    {
        PageSize = pageSize;
        LastPage = lastPage;
        TxnId = txnId;
        FreeRoot = freeRoot;
        MainRoot = mainRoot;
    }

    public int PageSize { get; }

    /// <summary>The last page the newest transaction allocated (mm_last_pg).</summary>
    public long LastPage { get; }

    public long TxnId { get; }

    /// <summary>The root of the free-page tree, or -1 when it is empty.</summary>
    public long FreeRoot { get; }

    /// <summary>The root of the main tree (named databases), or -1 when it is empty.</summary>
    public long MainRoot { get; }

    /// <summary>Reads and checks both meta pages; throws <see cref="StoreCorruptedException"/> if either is damaged.</summary>
    public static LmdbFileHeader Read(FileStream file)
    {
        var first = ReadMeta(file, 0, pageSize: null);
        var second = ReadMeta(file, first.PageSize, first.PageSize);
        var newest = second.TxnId > first.TxnId ? second : first;
        newest.CheckConsistent(file.Length);
        return newest;
    }

    private static LmdbFileHeader ReadMeta(FileStream file, long offset, int? pageSize)
    {
        var number = pageSize is null ? 0 : 1;
        var page = new byte[MetaSize];
        if (RandomAccess.Read(file.SafeFileHandle, page, offset) < MetaSize) throw Damaged($"meta page {number} is cut short");
        var header = new LmdbPage(page, number);
        if ((header.Flags & LmdbPage.MetaFlag) == 0) throw Damaged($"page {number} is not a meta page");
        if (BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(MagicAt)) != Magic) throw Damaged($"meta page {number} has no LMDB magic number");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(VersionAt));
        if (version != DataVersion) throw Damaged($"meta page {number} is LMDB format {version}, not {DataVersion}");
        var size = BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(FreeTreeAt + DbPadAt));
        if (size is < MinPageSize or > MaxPageSize || (size & (size - 1)) != 0) throw Damaged($"meta page {number} records a page size of {size}");
        if (pageSize is { } expected && size != expected) throw Damaged("the two meta pages disagree on the page size");
        return new LmdbFileHeader(
            (int)size,
            BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(LastPageAt)),
            BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(TxnIdAt)),
            BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(FreeTreeAt + DbRootAt)),
            BinaryPrimitives.ReadInt64LittleEndian(page.AsSpan(MainTreeAt + DbRootAt)));
    }

    private void CheckConsistent(long fileLength)
    {
        // Page numbers are far below 2^48 in any file a process can map; larger ones are garbage.
        if (LastPage < MetaPages - 1 || LastPage > (1L << 48)) throw Damaged($"the newest meta page records {LastPage} as its last page");
        if (TxnId < 0) throw Damaged("the newest meta page records a negative transaction id");
        foreach (var root in (ReadOnlySpan<long>)[FreeRoot, MainRoot])
        {
            if (root != NoPage && (root < MetaPages || root > LastPage)) throw Damaged($"a tree root (page {root}) lies outside the allocated pages");
        }
        if (fileLength < MetaPages * (long)PageSize) throw Damaged("the file is shorter than its two meta pages");
    }

    internal static StoreCorruptedException Damaged(string what) => new($"The store's metadata file is damaged: {what}.");
}
