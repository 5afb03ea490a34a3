using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Tests;

/// <summary>
/// The path limits (256 segments, 4,096 UTF-8 bytes) hold for every path inside a workspace,
/// whatever operation creates it: a move, promote or import that would put a node beyond them is
/// refused and changes nothing. A store path (workspace path + inner path) may be as long as both
/// together, so everything a workspace holds can also be named through the store.
/// </summary>
public sealed class PathLimitTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly string _source = Path.Combine(Path.GetTempPath(), "nokv-limits-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _temp.Dispose();
        if (Directory.Exists(_source)) Directory.Delete(_source, recursive: true);
    }

    /// <summary>"/d/d/…/d", <paramref name="depth"/> segments of <paramref name="name"/>.</summary>
    internal static string Chain(int depth, string name = "d") => "/" + string.Join("/", Enumerable.Repeat(name, depth));

    [Fact]
    public async Task A_move_that_would_put_a_node_deeper_than_256_segments_is_refused_and_changes_nothing()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        ws.CreateDirectory(Chain(200));
        ws.CreateDirectory("/m" + Chain(99)); // /m plus 99 below: 100 deep
        await ws.Write("/m" + Chain(99) + "/f", "deep");
        var before = await ws.Tree();

        var e = Assert.Throws<PathLimitExceededException>(() => ws.Move("/m", Chain(200) + "/m"));
        Assert.Contains("deeper than 256", e.Message, StringComparison.Ordinal);
        Assert.Equal(257, e.Path.Count(c => c == '/')); // the first node over the limit, named

        Assert.Equal(before, await ws.Tree());
        Assert.True(_temp.Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_move_that_would_make_a_path_longer_than_4096_bytes_is_refused()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        var longName = new string('n', 200);
        ws.CreateDirectory(Chain(15, longName)); // 3,015 bytes
        ws.CreateDirectory("/m" + Chain(5, longName)); // 1,008 bytes below /m: 4,023 after the move, 4,224 with the file
        await ws.Write("/m" + Chain(5, longName) + "/" + longName, "x");
        var before = await ws.Tree();

        var e = Assert.Throws<PathLimitExceededException>(() => ws.Move("/m", Chain(15, longName) + "/m"));
        Assert.Contains("longer than 4096", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await ws.Tree());
    }

    [Fact]
    public async Task A_move_that_fits_exactly_is_allowed_and_every_node_stays_nameable()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        ws.CreateDirectory(Chain(155));
        ws.CreateDirectory("/m" + Chain(99));
        await ws.Write("/m" + Chain(99) + "/f", "x"); // 101 deep below /m's parent

        ws.Move("/m", Chain(155) + "/m"); // the file lands at exactly 256 segments
        var file = Chain(155) + "/m" + Chain(99) + "/f";
        Assert.Equal(256, PathRules.Split(file).Length);
        Assert.Equal("x", await ws.ReadText(file));

        // Back up to the root: shallower, so no subtree walk is needed, and it works.
        ws.Move(Chain(155) + "/m", "/up");
        Assert.Equal("x", await ws.ReadText("/up" + Chain(99) + "/f"));
    }

    [Fact]
    public async Task Store_paths_reach_everything_a_workspace_holds()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        var deepest = Chain(256);
        ws.CreateDirectory(deepest);
        await ws.Write(Chain(255) + "/f", "leaf");

        // A valid directory inside /w is 257 segments as a store path: it can be snapshotted,
        // located, diffed and cloned by it.
        var pin = _temp.Store.Snapshot("/w" + deepest);
        Assert.Empty(pin.List("/"));
        Assert.Equal(deepest, _temp.Store.Locate("/w" + deepest).Path);
        Assert.Empty(_temp.Store.Diff("/w" + deepest, pin));
        var clone = _temp.Store.Clone("/w" + Chain(255), "/c").Workspace;
        Assert.Equal("leaf", await clone.ReadText("/f"));

        // One more segment inside the workspace is over the limit, as a store path too.
        var e = Assert.Throws<InvalidPathException>(() => _temp.Store.Snapshot("/w" + Chain(257)));
        Assert.Contains("deeper than 256", e.Message, StringComparison.Ordinal);
        // A workspace path obeys the limits on its own.
        Assert.Throws<InvalidPathException>(() => _temp.Store.CreateWorkspace(Chain(257)));
    }

    [Fact]
    public async Task Store_paths_allow_the_longest_workspace_path_plus_the_longest_inner_path()
    {
        var wsPath = Chain(2, new string('w', 249)); // 500 bytes: the longest workspace path
        var ws = _temp.Store.CreateWorkspace(wsPath);
        var inner = Chain(16, new string('n', 250)) + "/" + new string('n', 79); // 4,096 bytes
        ws.CreateDirectory(inner);
        await ws.Write(Chain(16, new string('n', 250)) + "/f", "x");

        var pin = _temp.Store.Snapshot(wsPath + inner); // 4,596 bytes as a store path
        Assert.Empty(pin.List("/"));
        Assert.Equal("x", await _temp.Store.Snapshot(wsPath + Chain(16, new string('n', 250))).ReadText("/f"));
        Assert.Throws<InvalidPathException>(() => _temp.Store.Snapshot(wsPath + inner + "n"));

        // Workspace paths are LMDB keys: past 500 bytes they are refused with a typed exception
        // (not LMDB's MDB_BAD_VALSIZE).
        var e = Assert.Throws<InvalidPathException>(() => _temp.Store.CreateWorkspace(wsPath + "x"));
        Assert.Contains("500", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidPathException>(() => _temp.Store.Clone(wsPath, "/" + new string('c', 250) + "/" + new string('c', 250)));
    }

    [Fact]
    public async Task Cloning_a_subtree_to_a_deep_workspace_path_keeps_every_node_nameable()
    {
        // Limits apply inside each workspace: a clone of a subtree only makes paths shorter,
        // however deep its own workspace path is, so a clone never needs a check or a walk.
        var ws = _temp.Store.CreateWorkspace("/w");
        ws.CreateDirectory(Chain(10) + Chain(246));
        await ws.Write(Chain(255) + "/f", "x");
        var clone = _temp.Store.Clone("/w" + Chain(10), Chain(250, "c")).Workspace; // the longest workspace path
        Assert.Equal("x", await clone.ReadText(Chain(245) + "/f"));
        Assert.Equal("x", await _temp.Store.Snapshot(Chain(250, "c") + Chain(245)).ReadText("/f"));
    }

    [Fact]
    public async Task A_promote_that_would_put_a_node_over_the_limit_is_refused_and_applies_nothing()
    {
        var store = _temp.Store;
        var baseWs = store.CreateWorkspace("/base");
        baseWs.CreateDirectory(Chain(200));
        var fork = store.Clone("/base" + Chain(200), "/fork").Workspace;
        fork.CreateDirectory(Chain(100, "x")); // 100 deep in the fork, 300 in the base
        await fork.Write(Chain(100, "x") + "/f", "deep");
        await fork.Write("/ok", "fits");
        var before = await baseWs.Tree();
        var snapshots = store.ListSnapshots("/base").Count;

        foreach (var strategy in new[] { PromoteStrategy.FailOnConflict, PromoteStrategy.PreferFork })
        {
            var e = Assert.Throws<PathLimitExceededException>(() => store.Promote("/fork", "/base" + Chain(200), new PromoteOptions { Strategy = strategy }));
            Assert.Equal(257, e.Path.Count(c => c == '/'));
        }
        Assert.Equal(before, await baseWs.Tree());
        Assert.Equal(snapshots, store.ListSnapshots("/base").Count);

        // What fits is promoted once the fork no longer holds what does not.
        fork.Delete(Chain(1, "x"), recursive: true);
        var result = store.Promote("/fork", "/base" + Chain(200));
        Assert.True(result.Promoted);
        Assert.Equal("fits", await baseWs.ReadText(Chain(200) + "/ok"));
    }

    [Fact]
    public async Task A_subtree_rollback_that_would_put_a_node_over_the_limit_is_refused()
    {
        // The snapshot's subtree was 100 deep where it was taken; the directory has since lost
        // it and moved 200 deep. Restoring it there would put nodes 300 deep.
        var ws = _temp.Store.CreateWorkspace("/w");
        ws.CreateDirectory("/m" + Chain(99));
        await ws.Write("/m" + Chain(99) + "/f", "x");
        var pin = _temp.Store.Snapshot("/w/m");
        ws.Delete("/m/d", recursive: true);
        ws.CreateDirectory(Chain(200));
        ws.Move("/m", Chain(200) + "/m");
        var before = await ws.Tree();

        var e = Assert.Throws<PathLimitExceededException>(() => _temp.Store.Rollback("/w" + Chain(200) + "/m", pin.Id));
        Assert.Equal(257, e.Path.Count(c => c == '/'));
        Assert.Equal(before, await ws.Tree());

        // Back where it was taken, the same rollback fits.
        ws.Move(Chain(200) + "/m", "/m");
        _temp.Store.Rollback("/w/m", pin.Id);
        Assert.Equal("x", await ws.ReadText("/m" + Chain(99) + "/f"));
    }

    [Fact]
    public async Task An_import_below_a_deep_directory_that_would_exceed_the_limit_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(_source, "a", "b", "c", "d", "e", "f", "g"));
        await File.WriteAllTextAsync(Path.Combine(_source, "a", "b", "c", "d", "e", "f", "g", "file"), "x");
        await File.WriteAllTextAsync(Path.Combine(_source, "top"), "top");
        var ws = _temp.Store.CreateWorkspace("/w");
        ws.CreateDirectory(Chain(250));

        var e = await Assert.ThrowsAsync<PathLimitExceededException>(() => ws.ImportAsync(_source, Chain(250)));
        Assert.Equal(Chain(250) + "/a/b/c/d/e/f/g", e.Path);
        Assert.Empty(ws.List(Chain(250)));
        Assert.True(_temp.Store.Verify().IsHealthy);

        // The same tree fits one level higher.
        var result = await ws.ImportAsync(_source, Chain(248));
        Assert.Equal(2, result.Files);
        Assert.Equal("x", await ws.ReadText(Chain(248) + "/a/b/c/d/e/f/g/file"));
    }

    [Fact]
    public async Task Diff_and_promote_fail_loudly_on_a_node_no_path_can_name()
    {
        // A store written before the limits held everywhere can hold a node more than 256
        // segments deep. Build one by linking a directory below a deep one behind the API's back.
        var store = _temp.Store;
        var baseWs = store.CreateWorkspace("/base");
        baseWs.CreateDirectory(Chain(200));
        baseWs.CreateDirectory("/m" + Chain(99));
        await baseWs.Write("/m" + Chain(99) + "/f", "v1");
        var fork = store.Clone("/base", "/fork").Workspace;
        await fork.Write("/m" + Chain(99) + "/f", "v2"); // the fork's edit
        ForceMove(store, "/fork", "/m", Chain(200), "m"); // ... now 301 segments deep

        var diff = Assert.Throws<StoreCorruptedException>(() => store.Diff("/base", "/fork"));
        Assert.Contains("deeper than 256", diff.Message, StringComparison.Ordinal);
        Assert.Throws<StoreCorruptedException>(() => store.Promote("/fork", "/base"));
        Assert.Equal("v1", await baseWs.ReadText("/m" + Chain(99) + "/f"));
    }

    [Fact]
    public async Task An_edit_below_an_unnameable_directory_is_never_silently_dropped()
    {
        // The case: the too-deep node is already in the base when the fork is made; the
        // fork edits a file below it (lifting the directory up to name it, and back), so the
        // only changed records are that file's and the two links. The fast diff used to find
        // no path for the file and report nothing; a promote then applied nothing and said so.
        var store = _temp.Store;
        var baseWs = store.CreateWorkspace("/base");
        baseWs.CreateDirectory(Chain(200));
        baseWs.CreateDirectory("/m" + Chain(99));
        await baseWs.Write("/m" + Chain(99) + "/f", "v1");
        ForceMove(store, "/base", "/m", Chain(200), "m");
        var fork = store.Clone("/base", "/fork").Workspace;
        ForceMove(store, "/fork", Chain(200) + "/m", "/", "m");
        await fork.Write("/m" + Chain(99) + "/f", "v2");
        ForceMove(store, "/fork", "/m", Chain(200), "m");

        Assert.Throws<StoreCorruptedException>(() => store.Diff("/base", "/fork"));
        Assert.Throws<StoreCorruptedException>(() => store.Promote("/fork", "/base"));
    }

    /// <summary>Relinks a node under another directory with no limit check (as Move did before the limits held everywhere).</summary>
    private static void ForceMove(WorkspaceStore store, string wsPath, string from, string toParent, string toName)
    {
        var id = store.ListWorkspaces().Single(w => w.Path == wsPath).Id;
        store.Mutations.WithHead(new Engine.WorkspaceRef(wsPath, id), (writer, _) =>
        {
            var (ino, record) = NodeReader.Resolve(writer.Txn, writer.View, PathRules.Split(from), from);
            var (parent, _) = NodeReader.Resolve(writer.Txn, writer.View, PathRules.Split(toParent), toParent);
            var name = PathRules.NameBytes(toName);
            writer.RemoveDentry(record.Parent, record.Name);
            writer.PutDentry(parent, name, new DentryRecord(ino, record.Kind));
            writer.PutInode(ino, record with { Parent = parent, Name = name });
            return true;
        });
    }
}
