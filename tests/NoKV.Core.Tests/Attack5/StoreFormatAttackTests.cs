using System.Formats.Tar;
using System.IO.Compression;
using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// attack5: the format 1 → 2 upgrade on stores with tombstones, snapshots and GC queues, and
/// stores whose format record and inode records disagree (typed errors, never a crash).
/// </summary>
public sealed class StoreFormatAttackTests : IDisposable
{
    private static readonly byte[] FormatKey = "format"u8.ToArray();
    private readonly TempStore _temp = new();
    private WorkspaceStore Store => _temp.Store;
    private SnapshotPin? _held;

    public void Dispose() => _temp.Dispose();

    /// <summary>A format 1 inode record: kind, parent, name, generation, size, chunk size, mtime.</summary>
    private static byte[] Format1(InodeRecord r) =>
        new RecordWriter().U8((byte)r.Kind).I64(r.Parent).Bytes(r.Name).I64(r.Generation).I64(r.Size).I32(r.ChunkSize).I64(r.ModifiedUtcTicks).ToArray();

    /// <summary>A chunk record of formats 1 and 2 (every chunk a block): length, checksum, owner, inode, generation, index.</summary>
    private static byte[] Format2(ChunkRecord c) =>
        new RecordWriter().I32(c.Length).I64((long)c.Checksum).I64(c.BlockOwner).I64(c.BlockInode).I64(c.BlockGen).I32(c.BlockIndex).ToArray();

    /// <summary>Rewrites every workspace and pin record as formats 1 to 3 kept them (no flags, no expiry).</summary>
    private static void DowngradeWorkspacesAndPins(MetaTxn txn)
    {
        foreach (var (key, value) in txn.Scan(Db.Workspaces, []).ToList())
        {
            var w = WorkspaceRecord.Decode(value);
            txn.Put(Db.Workspaces, key, new RecordWriter().I64(w.Id).I64(w.RootInode).I64(w.HeadLayer).I64(w.CreatedVersion).I64(w.CreatedUtcTicks).ToArray());
        }
        foreach (var (key, value) in txn.Scan(Db.Pins, []).ToList())
        {
            var p = PinRecord.Decode(value);
            txn.Put(Db.Pins, key, new RecordWriter().I64(p.Layer).I64(p.RootInode).I64(p.WorkspaceId).I64(p.ReadVersion).I64(p.CreatedUtcTicks)
                .Bytes(System.Text.Encoding.UTF8.GetBytes(p.Root)).Bytes(System.Text.Encoding.UTF8.GetBytes(p.WorkspacePath)).ToArray());
        }
    }

    /// <summary>Rewrites every inode and chunk record in format 1 and marks the store format 1, as the old code left it.</summary>
    private void DowngradeToFormat1()
    {
        Store.Write(txn =>
        {
            var all = txn.Scan(Db.Inodes, []).ToList();
            foreach (var (key, value) in all) txn.Put(Db.Inodes, key, Format1(InodeRecord.Decode(value)));
            foreach (var (key, value) in txn.Scan(Db.Chunks, []).ToList()) txn.Put(Db.Chunks, key, Format2(ChunkRecord.Decode(value)));
            DowngradeWorkspacesAndPins(txn);
            txn.Put(Db.Meta, FormatKey, BitConverter.GetBytes(1));
            return true;
        });
    }

    /// <summary>A store with live files and directories, tombstones, a held snapshot, a released one (GC queue) and a clone.</summary>
    private async Task<Workspace> Busy()
    {
        var ws = Store.CreateWorkspace("/ws");
        ws.CreateDirectory("/a/b");
        await ws.Write("/a/b/f", "one");
        await ws.Write("/a/g", "gee");
        var held = ws.Snapshot();
        ws.Delete("/a/b", recursive: true); // tombstones
        await ws.Write("/a/g", "two");
        var released = ws.Snapshot();
        await ws.Write("/h", "aitch");
        Store.Clone("/ws", "/fork");
        Store.ReleaseSnapshot(released.Id); // a layer queued for GC
        _held = held;
        return ws;
    }

    [Fact]
    public async Task A_hand_built_format1_store_with_tombstones_snapshots_and_gc_queues_upgrades_clean()
    {
        var ws = await Busy();
        var tree = await ws.Tree();
        var snapTree = await _held!.Tree();
        DowngradeToFormat1();

        var store = _temp.Reopen();
        var report = store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
        var reopened = store.OpenWorkspace("/ws");
        Assert.Equal(tree, await reopened.Tree());
        Assert.Equal(snapTree, await store.GetSnapshot(_held!.Id).Tree());
        Assert.Equal((UnixFileMode)0x1A4, reopened.Stat("/h").Mode);
        Assert.Equal((UnixFileMode)0x1ED, reopened.Stat("/a").Mode);
        Assert.Equal(reopened.Stat("/h").LastWriteTime, reopened.Stat("/h").ChangeTime);
        Assert.Empty(store.Diff("/ws", "/fork"));

        store.CollectGarbage(GcMode.Full);
        report = store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
        Assert.Equal(tree, await store.OpenWorkspace("/ws").Tree());

        // Upgraded once: a second open changes nothing.
        var lines = AttackTree.Lines(store.OpenWorkspace("/ws"));
        Assert.Equal(lines, AttackTree.Lines(_temp.Reopen().OpenWorkspace("/ws")));
    }

    [Fact]
    public async Task A_store_marked_format1_that_holds_format2_records_is_a_typed_error_and_stays_as_it_was()
    {
        var ws = await Busy();
        ws.CreateSymbolicLink("/l", "x");
        Store.Write(txn => { txn.Put(Db.Meta, FormatKey, BitConverter.GetBytes(1)); return true; });
        Store.Dispose();
        var bytes = File.ReadAllBytes(Path.Combine(_temp.Directory, "meta", "data.mdb"));

        Assert.ThrowsAny<StoreCorruptedException>(() => _temp.Open().Dispose());
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(_temp.Directory, "meta", "data.mdb")));
    }

    [Fact]
    public async Task A_format1_record_in_a_format2_store_is_a_typed_error_on_every_path_that_reads_it()
    {
        var ws = await Busy();
        var ino = ws.Stat("/h").Inode;
        Store.Write(txn =>
        {
            var all = txn.Scan(Db.Inodes, Keys.U64(ino)).ToList();
            foreach (var (key, value) in all) txn.Put(Db.Inodes, key, Format1(InodeRecord.Decode(value)));
            return true;
        });
        var store = _temp.Reopen();
        var reopened = store.OpenWorkspace("/ws");

        Assert.ThrowsAny<StoreCorruptedException>(() => reopened.Stat("/h"));
        Assert.ThrowsAny<StoreCorruptedException>(() => reopened.List("/"));
        var diff = Record.Exception(() => store.Diff("/ws", "/fork")); // the fast path may not read /h at all
        Assert.True(diff is null or NoKVException, diff?.ToString());
        var verify = Record.Exception(() => store.Verify());
        Assert.True(verify is null or NoKVException, verify?.ToString());
        var gc = Record.Exception(() => store.CollectGarbage(GcMode.Full));
        Assert.True(gc is null or NoKVException, gc?.ToString());
    }

    [Fact]
    public async Task A_format1_store_holding_a_link_record_is_refused_typed_on_open()
    {
        var ws = Store.CreateWorkspace("/ws");
        ws.CreateSymbolicLink("/l", "target");
        await ws.Write("/f", "f");
        Store.Write(txn =>
        {
            var all = txn.Scan(Db.Inodes, []).ToList();
            foreach (var (key, value) in all)
            {
                var record = InodeRecord.Decode(value);
                // The link's target is dropped: a format 1 record has no room for it.
                txn.Put(Db.Inodes, key, Format1(record));
            }
            DowngradeWorkspacesAndPins(txn);
            txn.Put(Db.Meta, FormatKey, BitConverter.GetBytes(1));
            return true;
        });
        Store.Dispose();
        Assert.ThrowsAny<StoreCorruptedException>(() => _temp.Open().Dispose());
    }

    [Fact]
    public async Task The_format1_test_store_upgrades_and_gc_and_verify_stay_clean()
    {
        Store.Dispose();
        var dir = Path.Combine(Path.GetTempPath(), "nokv-tests", "attack5-f1-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var archive = Path.Combine(AppContext.BaseDirectory, "TestData", "store-format1.tar.gz");
            if (!File.Exists(archive))
                archive = Path.Combine(FindRepo(), "tests", "NoKV.Core.Tests", "TestData", "store-format1.tar.gz");
            await using (var gz = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
                await TarFile.ExtractToDirectoryAsync(gz, dir, overwriteFiles: false);

            var options = new WorkspaceStoreOptions { Directory = dir, OrphanGracePeriod = TimeSpan.Zero };
            var trees = new Dictionary<string, SortedDictionary<string, string>>();
            using (var store = WorkspaceStore.Open(options))
            {
                var report = store.Verify();
                Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
                foreach (var info in store.ListWorkspaces()) trees[info.Path] = await store.OpenWorkspace(info.Path).Tree();
                foreach (var snap in store.ListSnapshots()) _ = await snap.Tree();
                store.CollectGarbage(GcMode.Full);
                report = store.Verify();
                Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
            }
            using (var again = WorkspaceStore.Open(options))
            {
                foreach (var (path, tree) in trees) Assert.Equal(tree, await again.OpenWorkspace(path).Tree());
                Assert.True(again.Verify().IsHealthy);
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        }
    }

    private static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "tests", "NoKV.Core.Tests"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root");
    }
}
