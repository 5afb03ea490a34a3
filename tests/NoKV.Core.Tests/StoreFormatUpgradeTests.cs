using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// A store written by the previous NoKV (format 1, checked in as TestData/store-format1.tar.gz)
/// opens, is upgraded in place to the current format (through each format between) with every node's content, history and diff intact and
/// POSIX defaults for what format 1 did not store; a store of a format newer than this NoKV reads
/// is refused with a typed error and left byte for byte as it was.
/// </summary>
public sealed class StoreFormatUpgradeTests : IDisposable
{
    private const string BigFileSha256 = "67235281ebbe500c400cb9fd79407125d547975f9fffe671917e0a8000df7dd3";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>Unpacks the format 1 store into a fresh directory (the archive is read-only test data).</summary>
    private string ExtractFormat1Store()
    {
        Directory.CreateDirectory(_directory);
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "TestData", "store-format1.tar.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        TarFile.ExtractToDirectory(gzip, _directory, overwriteFiles: false);
        return _directory;
    }

    /// <summary>
    /// The meta database's format record, read with LMDB directly: opening through NoKV would
    /// upgrade the store first.
    /// </summary>
    private static int FormatRecord(string storeDirectory)
    {
        using var env = new LightningDB.LightningEnvironment(Path.Combine(storeDirectory, "meta"), new LightningDB.EnvironmentConfiguration { MaxDatabases = 32 });
        env.Open(LightningDB.EnvironmentOpenFlags.ReadOnly);
        using var txn = env.BeginTransaction(LightningDB.TransactionBeginFlags.ReadOnly);
        using var meta = txn.OpenDatabase(nameof(Db.Meta));
        var (rc, _, value) = txn.Get(meta, "format"u8.ToArray());
        Assert.Equal(LightningDB.MDBResultCode.Success, rc);
        return BitConverter.ToInt32(value.AsSpan());
    }

    [Fact]
    public void The_checked_in_store_is_format_1()
    {
        Assert.Equal(1, FormatRecord(ExtractFormat1Store()));
    }

    [Fact]
    public async Task A_format_1_store_opens_upgraded_with_its_content_history_and_diff_intact()
    {
        var directory = ExtractFormat1Store();
        using (var store = WorkspaceStore.Open(directory))
        {
            Assert.Equal(["/base", "/forks/a"], store.ListWorkspaces().Select(w => w.Path));
            // Format 4 gave workspaces flags and expiry, snapshots expiry: upgraded ones have none.
            Assert.All(store.ListWorkspaces(), w => Assert.True(!w.IsReadOnly && w.ExpiresUtc is null, w.Path));
            Assert.NotEmpty(store.ListSnapshots());
            Assert.All(store.ListSnapshots(), p => Assert.Null(p.ExpiresUtc));
            var baseWs = store.OpenWorkspace("/base");
            Assert.Equal("hello v1\n", await baseWs.ReadText("/a.txt"));
            Assert.Equal("nested\n", await baseWs.ReadText("/sub/b.txt"));
            var big = await baseWs.ReadAllBytesAsync("/big.bin");
            Assert.Equal(348894, big.Length);
            Assert.Equal(BigFileSha256, Convert.ToHexStringLower(SHA256.HashData(big)));

            var fork = store.OpenWorkspace("/forks/a");
            Assert.Equal("changed\n", await fork.ReadText("/a.txt"));
            Assert.False(fork.Exists("/sub/b.txt"));
            Assert.Equal(NodeKind.Directory, fork.Stat("/newdir").Kind);
            Assert.Empty(fork.List("/newdir"));

            Assert.Equal("hello v1\n", await store.GetSnapshot(1).ReadText("/a.txt"));
            Assert.Equal("nested\n", await store.GetSnapshot(1).ReadText("/sub/b.txt"));
            Assert.Equal("changed\n", await store.GetSnapshot(2).ReadText("/a.txt"));
            // Snapshot 2 was taken of the fork after a.txt changed and sub/b.txt went, before newdir.
            Assert.Equal(["/a.txt", "/big.bin", "/sub"], AllNodes(store).Where(v => v.View == "@2" && v.Node.Path != "/").Select(v => v.Node.Path).Order(StringComparer.Ordinal));

            Assert.Equal(
                [new SubtreeDelta("/a.txt", DeltaKind.Modified), new SubtreeDelta("/newdir", DeltaKind.Added), new SubtreeDelta("/sub/b.txt", DeltaKind.Removed)],
                store.Diff("/base", "/forks/a"));

            foreach (var (view, node) in AllNodes(store))
            {
                var expectedMode = node.Kind == NodeKind.Directory
                    ? (UnixFileMode)0b111_101_101 // 0755
                    : (UnixFileMode)0b110_100_100; // 0644
                Assert.True(expectedMode == node.Mode, $"{view}{node.Path}: mode {node.Mode}");
                Assert.Equal(ProcessIdentity.User, node.OwnerId);
                Assert.Equal(ProcessIdentity.Group, node.GroupId);
                Assert.Null(node.LinkTarget);
                Assert.True(node.ChangeTime == node.LastWriteTime, $"{view}{node.Path}: ctime {node.ChangeTime:O} mtime {node.LastWriteTime:O}");
                Assert.True(node.LastWriteTime > new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), $"{view}{node.Path}: mtime {node.LastWriteTime:O} is not the stored one");
            }

            var report = store.Verify();
            Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
        }

        Assert.Equal(NoKV.Lmdb.StoreFormat.Version, FormatRecord(directory));

        using (var reopened = WorkspaceStore.Open(directory))
        {
            var baseWs = reopened.OpenWorkspace("/base");
            Assert.Equal("hello v1\n", await baseWs.ReadText("/a.txt"));
            baseWs.CreateSymbolicLink("/link", "sub/b.txt");
            baseWs.SetUnixFileMode("/a.txt", (UnixFileMode)0b111_101_101);
            Assert.Equal(
                [new SubtreeDelta("/a.txt", DeltaKind.Modified), new SubtreeDelta("/link", DeltaKind.Added)],
                reopened.Diff(reopened.GetSnapshot(1), "/base"));
            Assert.True(reopened.Verify().IsHealthy);
        }
        using (var again = WorkspaceStore.Open(directory))
        {
            var baseWs = again.OpenWorkspace("/base");
            Assert.Equal("sub/b.txt", baseWs.Stat("/link").LinkTarget);
            Assert.Equal((UnixFileMode)0b111_101_101, baseWs.Stat("/a.txt").Mode);
        }
    }

    [Fact]
    public async Task A_store_of_a_newer_format_is_refused_naming_both_versions_and_left_unchanged()
    {
        using (var temp = new TempStore())
        {
            var ws = temp.Store.CreateWorkspace("/w");
            await ws.WriteAllBytesAsync("/f", TestData.Bytes(5000, 1));
            temp.Store.Write(txn => { txn.Put(Db.Meta, "format"u8, BitConverter.GetBytes(99)); return true; });
            temp.Store.Dispose();
            CopyDirectory(temp.Directory, _directory);
        }
        var before = FileBytes(_directory);

        var e = Assert.Throws<StoreFormatException>(() => WorkspaceStore.Open(_directory));

        Assert.Equal(99, e.StoreVersion);
        Assert.Equal(NoKV.Lmdb.StoreFormat.Version, e.SupportedVersion);
        Assert.Contains("99", e.Message, StringComparison.Ordinal);
        Assert.Contains($"up to {NoKV.Lmdb.StoreFormat.Version}", e.Message, StringComparison.Ordinal);
        Assert.Equal(NoKVErrorKind.Unsupported, e.ErrorKind);
        var after = FileBytes(_directory);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (file, bytes) in before) Assert.True(bytes.SequenceEqual(after[file]), $"{file} changed");
    }

    private static IEnumerable<(string View, NodeInfo Node)> AllNodes(WorkspaceStore store)
    {
        var views = store.ListWorkspaces().Select(w => (w.Path, Workspace: store.OpenWorkspace(w.Path)))
            .Select(v => (v.Path, (Func<string, IReadOnlyList<NodeInfo>>)v.Workspace.List, (Func<string, NodeInfo>)v.Workspace.Stat))
            .Concat(store.ListSnapshots().Select(p => ($"@{p.Id}", (Func<string, IReadOnlyList<NodeInfo>>)p.List, (Func<string, NodeInfo>)p.Stat)));
        foreach (var (name, list, stat) in views)
        {
            yield return (name, stat("/"));
            var pending = new Stack<string>(["/"]);
            while (pending.TryPop(out var dir))
            {
                foreach (var node in list(dir))
                {
                    yield return (name, node);
                    if (node.Kind == NodeKind.Directory) pending.Push(node.Path);
                }
            }
        }
    }

    /// <summary>
    /// Every file of a store with its bytes, except LMDB's lock file (meta/lock.mdb): LMDB
    /// rewrites its reader table on every open, and it holds no data.
    /// </summary>
    private static SortedDictionary<string, byte[]> FileBytes(string directory) => new(
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "lock.mdb")
            .ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes),
        StringComparer.Ordinal);

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
