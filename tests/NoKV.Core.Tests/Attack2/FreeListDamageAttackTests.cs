using System.Buffers.Binary;
using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// Attack: damage inside LMDB's free-page tree. The open check walks the free tree's pages and
/// checks the page lists they hold (an IDL: a count, then page numbers), which LMDB trusts when
/// its next write transaction allocates pages: a garbage count made it read that many page
/// numbers past the value. Run in the helper process: unfixed, it died of SIGBUS.
/// </summary>
public sealed class FreeListDamageAttackTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>A closed store from before identity files (no nokv.identity, no store-id record), so its next open writes, with free pages.</summary>
    private static async Task CreateOldStoreWithFreePages(string directory)
    {
        var options = new WorkspaceStoreOptions { Directory = directory, ChunkSize = TempStore.SmallChunk };
        await DamagedMetadataTests.CreateStoreWithBlocks(options);
        using (var store = WorkspaceStore.Open(options))
        {
            var ws = store.CreateWorkspace("/churn");
            for (var i = 0; i < 100; i++) await ws.WriteAllBytesAsync($"/f{i}", TestData.Bytes(100, i));
            for (var i = 0; i < 100; i += 2) ws.Delete($"/f{i}");
        }
        File.Delete(Path.Combine(directory, "nokv.identity"));
        using var meta = MetaDb.Open(Path.Combine(directory, "meta"), options.MaxMetadataSize, () => "must exist");
        Assert.True(meta.Write(txn => txn.Delete(Db.Meta, "store-id"u8)));
    }

    /// <summary>The file offset of the first page list (IDL) in the free-page tree of the newest meta page.</summary>
    private static long FirstFreeListOffset(string dataFile)
    {
        var bytes = File.ReadAllBytes(dataFile);
        var pageSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(48));
        long TxnId(int meta) => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(meta * pageSize + 152));
        var newest = TxnId(1) > TxnId(0) ? 1 : 0;
        var page = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(newest * pageSize + 88));
        Assert.True(page > 1, "the free-page tree is empty: nothing to damage");
        while (true)
        {
            var at = (int)(page * pageSize);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 18));
            var node = at + 24 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 24));
            if ((flags & 1) != 0)
            {
                page = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(node)) | ((long)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(node + 2)) << 16) | ((long)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(node + 4)) << 32);
                continue;
            }
            var nodeFlags = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(node + 4));
            var keySize = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(node + 6));
            var data = node + 8 + ((keySize + 1) & ~1);
            if ((nodeFlags & 1) == 0) return data;
            return BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(data)) * pageSize + 24;
        }
    }

    // Printed: "the probe died with exit code 135:" (SIGBUS) — open accepted the file and LMDB's
    // first page allocation (the store-id record written on upgrade) read 4M page numbers past the list.
    [Fact]
    public async Task A_free_page_list_with_a_garbage_count_is_refused_not_a_crash()
    {
        var store = Path.Combine(_root, "s");
        await CreateOldStoreWithFreePages(store);
        var data = Path.Combine(store, "meta", "data.mdb");
        var idl = FirstFreeListOffset(data);
        using (var file = new FileStream(data, FileMode.Open, FileAccess.ReadWrite))
        {
            var count = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(count, 1 << 22);
            file.Position = idl;
            file.Write(count);
        }

        var (exitCode, output) = await DamagedMetadataTests.Probe(store);

        Assert.True(exitCode == 0, $"the probe died with exit code {exitCode}: {output}");
        Assert.StartsWith(nameof(StoreCorruptedException), output, StringComparison.Ordinal);
        Assert.Contains("damaged free-page list", output, StringComparison.Ordinal);
    }
}
