using System.Buffers.Binary;

namespace NoKV.Lmdb;

/// <summary>
/// Checks one value of LMDB's free-page tree (FREE_DBI: key = txnid, value = an MDB_IDL): a count
/// word, then that many page numbers, each a size_t, sorted strictly descending. LMDB trusts the
/// list when a write transaction allocates pages: mdb_page_alloc sizes its merge by the count
/// (idl[0]) and mdb_midl_xmerge copies that many words, so a garbage count reads past the value
/// and the file (SIGBUS), and a garbage page number hands out a page outside the file or one a
/// live tree still uses. Layout and order from mdb.c (mdb_freelist_save) and midl.h.
/// </summary>
internal static class LmdbFreeList
{
    private const int WordSize = 8;   // size_t / pgno_t on the 64-bit build NoKV ships
    private const long FirstPage = 2; // NUM_METAS: the meta pages are never free

    /// <summary>
    /// Checks the list in <paramref name="value"/> (held by tree page <paramref name="holder"/>) and
    /// passes each page number to <paramref name="claim"/>; throws <see cref="StoreCorruptedException"/>
    /// at the first flaw. Only the first count words after the count are the list: LMDB reserves
    /// records before it fills them, so a value may be longer than its list, with garbage after it.
    /// </summary>
    public static void Check(ReadOnlySpan<byte> value, long holder, long lastPage, Action<long> claim)
    {
        if (value.Length < WordSize) throw Damaged(holder, $"a {value.Length}-byte value has no count");
        var count = BinaryPrimitives.ReadUInt64LittleEndian(value);
        var room = (ulong)(value.Length / WordSize - 1);
        if (count > room) throw Damaged(holder, $"it counts {count} pages but its {value.Length}-byte value holds at most {room}");
        var previous = long.MaxValue;
        for (var i = 1; i <= (int)count; i++)
        {
            var page = BinaryPrimitives.ReadInt64LittleEndian(value[(i * WordSize)..]);
            if (page < FirstPage || page > lastPage) throw Damaged(holder, $"it lists page {page}, outside the allocated pages 2..{lastPage}");
            if (page >= previous) throw Damaged(holder, $"page {page} follows page {previous}: the list is not strictly descending");
            claim(page);
            previous = page;
        }
    }

    public static StoreCorruptedException Damaged(long holder, string what) =>
        LmdbFileHeader.Damaged($"damaged free-page list in the free-page tree's page {holder} ({what})");
}
