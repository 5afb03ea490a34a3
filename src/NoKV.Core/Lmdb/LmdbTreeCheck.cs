using System.Buffers.Binary;

namespace NoKV.Lmdb;

/// <summary>
/// Walks every live page of an LMDB file with plain file I/O (the main tree, each named
/// database's tree, then the free-page tree) and checks everything LMDB computes an address from:
/// the page's own number, its kind, its node pointers, key and value sizes, child and overflow
/// page numbers, named-database roots, and the page lists the free-page tree holds
/// (<see cref="LmdbFreeList"/>). LMDB trusts these fields; a garbage one makes it read past the
/// page, and past the end of the file that is a SIGBUS no handler can catch. A file that passes
/// keeps every read LMDB does inside the file, and every page LMDB would allocate from the free
/// lists is one no live tree uses. Costs one page-sized read per live page at open (about the
/// file's size in I/O) and a bit per page of memory.
/// </summary>
internal sealed class LmdbTreeCheck(FileStream file, LmdbFileHeader header)
{
    private const int MaxDepth = 32;          // LMDB's cursor stack (CURSOR_STACK)
    private const int DbRecordSize = 48;      // MDB_db
    private const int DbFlagsAt = 4;
    private const int DbRootAt = 40;
    private const ushort BigData = 0x01;
    private const ushort SubData = 0x02;

    private readonly long _pagesInFile = file.Length / header.PageSize;
    private readonly System.Collections.BitArray _seen = new((int)Math.Min(Math.Min(header.LastPage + 1, file.Length / header.PageSize), int.MaxValue));

    /// <summary>Throws <see cref="StoreCorruptedException"/> at the first damaged page.</summary>
    public void Run()
    {
        // The live trees first, so the seen-page bitmap holds every live page when the free lists
        // are checked against it; the free tree's own pages are claimed as its walk reaches them,
        // so a free list naming one of those is refused too (as a page reachable twice).
        Walk(header.MainRoot, depth: 1, holdsDatabases: true);
        Walk(header.FreeRoot, depth: 1, holdsDatabases: false, holdsFreeLists: true);
    }

    private void Walk(long root, int depth, bool holdsDatabases, bool holdsFreeLists = false)
    {
        if (root == -1) return;
        if (depth > MaxDepth) throw LmdbFileHeader.Damaged($"a tree is deeper than LMDB allows at page {root}");
        var bytes = ReadPage(root);
        var page = new LmdbPage(bytes, root);
        if (page.IsBranch == page.IsLeaf || page.IsOverflow || (page.Flags & ~(LmdbPage.BranchFlag | LmdbPage.LeafFlag)) != 0)
            throw page.Damaged($"flags 0x{page.Flags:x} are not those of a tree page");
        var nodes = page.NodeCount;
        if (page.IsBranch && nodes == 0) throw page.Damaged("a branch page has no children");
        for (var i = 0; i < nodes; i++)
        {
            if (page.IsBranch)
            {
                Walk(page.ChildPage(i), depth + 1, holdsDatabases, holdsFreeLists);
                continue;
            }
            var flags = page.LeafFlags(i);
            if ((flags & ~(BigData | (holdsDatabases ? SubData : 0))) != 0) throw page.Damaged($"a node has flags 0x{flags:x}, which NoKV never writes");
            var value = page.LeafValue(i, out var overflowPage, out var length);
            if (overflowPage >= 0) CheckOverflow(page, overflowPage, length);
            else if ((flags & SubData) != 0) CheckDatabase(page, value);
            if (holdsFreeLists)
                LmdbFreeList.Check(overflowPage >= 0 ? ReadOverflowValue(overflowPage, length) : value, root, header.LastPage, ClaimFree);
        }
    }

    /// <summary>The bytes of a value held in an overflow run <see cref="CheckOverflow"/> has found inside the file.</summary>
    private byte[] ReadOverflowValue(long first, int length)
    {
        var bytes = new byte[length];
        if (RandomAccess.Read(file.SafeFileHandle, bytes, first * header.PageSize + LmdbPage.HeaderSize) < length)
            throw LmdbFileHeader.Damaged($"the value in overflow page {first} is cut short");
        return bytes;
    }

    /// <summary>
    /// Marks a page a free list names. A free page must not be live, nor listed twice. Free pages
    /// may lie past the end of the file (LMDB never writes a page it allocated and freed in one
    /// transaction), where no live page can be; those are only range-checked.
    /// </summary>
    private void ClaimFree(long page)
    {
        if (page >= _seen.Length) return;
        if (_seen[(int)page]) throw LmdbFileHeader.Damaged($"damaged free-page list: it names page {page}, which a live tree uses or another free list names");
        _seen[(int)page] = true;
    }

    private void CheckOverflow(LmdbPage from, long first, int length)
    {
        var needed = (LmdbPage.HeaderSize + (long)length + header.PageSize - 1) / header.PageSize;
        var run = new LmdbPage(ReadPage(first), first);
        if (!run.IsOverflow || run.OverflowPages < needed) throw from.Damaged($"overflow page {first} does not hold its {length}-byte value");
        for (var page = first + 1; page < first + needed; page++) Claim(page);
    }

    private void CheckDatabase(LmdbPage from, ReadOnlySpan<byte> record)
    {
        if (record.Length != DbRecordSize) throw from.Damaged("a named database record has the wrong size");
        // NoKV opens its databases with no flags (no DUPSORT, no integer keys): anything else is garbage.
        if (BinaryPrimitives.ReadUInt16LittleEndian(record[DbFlagsAt..]) != 0) throw from.Damaged("a named database has flags NoKV never sets");
        Walk(BinaryPrimitives.ReadInt64LittleEndian(record[DbRootAt..]), depth: 1, holdsDatabases: false);
    }

    private void Claim(long page)
    {
        if (page < 2 || page > header.LastPage) throw LmdbFileHeader.Damaged($"page {page} is outside the allocated pages");
        if (page >= _pagesInFile || page >= _seen.Length)
            throw LmdbFileHeader.Damaged($"live page {page} lies past the end of the file ({file.Length} bytes): the file was cut short");
        if (_seen[(int)page]) throw LmdbFileHeader.Damaged($"page {page} is reachable twice");
        _seen[(int)page] = true;
    }

    private byte[] ReadPage(long first)
    {
        Claim(first);
        var bytes = new byte[header.PageSize];
        if (RandomAccess.Read(file.SafeFileHandle, bytes, first * header.PageSize) < bytes.Length) throw LmdbFileHeader.Damaged($"page {first} is cut short");
        var page = new LmdbPage(bytes, first);
        if (page.RecordedNumber != first) throw page.Damaged($"it records itself as page {page.RecordedNumber}");
        return bytes;
    }
}
