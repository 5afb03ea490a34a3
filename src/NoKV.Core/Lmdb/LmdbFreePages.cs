using System.Buffers.Binary;

namespace NoKV.Lmdb;

/// <summary>
/// Reads LMDB's free-page tree with plain file I/O. Needed because a healthy file may end before
/// its last allocated page: LMDB never writes a page that a transaction allocated and freed again
/// ("loose" pages), and it never touches a free page through the map (reusing one writes it
/// first). Such a file is safe to map exactly when every missing page is free. Each record of the
/// tree is a txnid → an ID list: a count, then that many page numbers (mdb.c, mdb_freelist_save).
/// </summary>
internal sealed class LmdbFreePages(FileStream file, LmdbFileHeader header)
{
    private readonly long _pagesInFile = file.Length / header.PageSize;
    private int _pagesRead;

    /// <summary>True if every page from <paramref name="first"/> to the last allocated page is in the free-page tree.</summary>
    public bool CoverAllFrom(long first)
    {
        var wanted = new HashSet<long>();
        for (var page = first; page <= header.LastPage; page++) wanted.Add(page);
        if (header.FreeRoot >= 0) Visit(header.FreeRoot, wanted);
        return wanted.Count == 0;
    }

    private void Visit(long pageNumber, HashSet<long> wanted)
    {
        var bytes = ReadPages(pageNumber, 1);
        var page = new LmdbPage(bytes, pageNumber);
        for (var i = 0; i < page.NodeCount && wanted.Count > 0; i++)
        {
            if (page.IsBranch) Visit(page.ChildPage(i), wanted);
            else if (page.IsLeaf) Remove(page, i, wanted);
            else throw page.Damaged("a free-page tree page is neither a branch nor a leaf");
        }
    }

    private void Remove(LmdbPage page, int node, HashSet<long> wanted)
    {
        var ids = page.LeafValue(node, out var overflowPage, out var length);
        if (overflowPage >= 0)
        {
            var pages = (LmdbPage.HeaderSize + length + header.PageSize - 1) / header.PageSize;
            var run = ReadPages(overflowPage, pages);
            if (!new LmdbPage(run, overflowPage).IsOverflow) throw page.Damaged("a free list's overflow page is not an overflow page");
            ids = run.AsSpan(LmdbPage.HeaderSize, length);
        }
        if (ids.Length < 8) throw page.Damaged("a free list is shorter than its count");
        var count = BinaryPrimitives.ReadInt64LittleEndian(ids);
        if (count < 0 || count > ids.Length / 8 - 1) throw page.Damaged("a free list counts more pages than it holds");
        for (var i = 1; i <= count; i++) wanted.Remove(BinaryPrimitives.ReadInt64LittleEndian(ids[(8 * i)..]));
    }

    private byte[] ReadPages(long first, int count)
    {
        // A page outside the file, or more pages than the file has (a cycle), is damage.
        if (first < 2 || count < 1 || first + count > _pagesInFile || (_pagesRead += count) > _pagesInFile)
            throw LmdbFileHeader.Damaged($"the free-page tree refers to page {first}, outside the file");
        var bytes = new byte[(long)count * header.PageSize];
        if (RandomAccess.Read(file.SafeFileHandle, bytes, first * header.PageSize) < bytes.Length)
            throw LmdbFileHeader.Damaged($"page {first} is cut short");
        return bytes;
    }
}
