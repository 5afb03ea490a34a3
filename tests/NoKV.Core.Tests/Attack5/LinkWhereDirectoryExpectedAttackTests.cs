using NoKV.Engine;

namespace NoKV.Tests;

/// <summary>
/// attack5: a symbolic link wherever a directory is expected, by path and by inode; every refusal
/// is typed and leaves the tree (attributes included) exactly as it was.
/// </summary>
public sealed class LinkWhereDirectoryExpectedAttackTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _ws;
    private WorkspaceStore Store => _temp.Store;

    public LinkWhereDirectoryExpectedAttackTests()
    {
        _ws = Store.CreateWorkspace("/ws");
        _ws.CreateDirectory("/dir/sub");
        _ws.WriteAllBytesAsync("/dir/file", TestData.Text("f")).GetAwaiter().GetResult();
        _ws.CreateDirectory("/empty");
        _ws.CreateSymbolicLink("/link", "dir");
        _ws.CreateSymbolicLink("/dir/inner-link", "../empty");
    }

    public void Dispose() => _temp.Dispose();

    private WorkspaceRef Ref => _ws.Ref;

    private long Ino(string path) => _ws.Stat(path).Inode;

    /// <summary>Runs a call that must throw <typeparamref name="T"/> and checks nothing in the tree changed.</summary>
    private void Refused<T>(Action call) where T : Exception
    {
        var before = AttackTree.Lines(_ws);
        Assert.Throws<T>(call);
        Assert.Equal(before, AttackTree.Lines(_ws));
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Path_operations_through_or_onto_a_link_are_refused_and_change_nothing()
    {
        Refused<NotADirectoryException>(() => _ws.CreateDirectory("/link/new/deeper"));
        Refused<NotADirectoryException>(() => _ws.Move("/dir/file", "/link/file2"));
        Refused<NotADirectoryException>(() => _ws.Move("/link/file", "/moved"));
        Refused<PathAlreadyExistsException>(() => _ws.Move("/empty", "/link"));
        Refused<PathAlreadyExistsException>(() => _ws.Move("/link", "/empty"));
        Refused<NotADirectoryException>(() => _ws.Delete("/link/file"));
        Refused<NotADirectoryException>(() => _ws.Delete("/link/file", recursive: true));
        Refused<NotADirectoryException>(() => _ws.SetUnixFileMode("/link/file", (UnixFileMode)0x1C0));
        Refused<NotADirectoryException>(() => _ws.SetOwner("/link/sub", 1, 1));
        Refused<NotADirectoryException>(() => _ws.SetLastWriteTime("/link/sub", DateTimeOffset.UnixEpoch));
        Refused<OperationNotSupportedException>(() => _ws.SetUnixFileMode("/link", (UnixFileMode)0x1C0));
        Refused<NotADirectoryException>(() => _ws.List("/link"));
        await Assert.ThrowsAsync<NotADirectoryException>(async () => { await foreach (var _ in _ws.EnumerateAsync("/link")) { } });
    }

    [Fact]
    public void Engine_operations_by_inode_on_a_link_are_refused_and_change_nothing()
    {
        var m = Store.Mutations;
        var ws = Ref;
        var link = Ino("/link");
        var dir = Ino("/dir");
        var empty = Ino("/empty");
        var root = _ws.RootInode;
        Refused<NotADirectoryException>(() => m.MakeDirectory(ws, link, "x"));
        Refused<NotADirectoryException>(() => m.CreateFile(ws, link, "x"));
        Refused<NotADirectoryException>(() => m.CreateSymbolicLink(ws, link, "x", "t"));
        Refused<NotADirectoryException>(() => m.Unlink(ws, link, "file"));
        Refused<NotADirectoryException>(() => m.RemoveDirectory(ws, root, "link"));
        Refused<NotADirectoryException>(() => m.Rename(ws, dir, "file", link, "file", replace: false));
        Refused<NotADirectoryException>(() => m.Rename(ws, link, "file", root, "x", replace: false));
        // A directory onto a link, with replace: rename(2) says ENOTDIR.
        Refused<NotADirectoryException>(() => m.Rename(ws, root, "empty", root, "link", replace: true));
        // A link onto a directory, with replace: EISDIR.
        Refused<NotAFileException>(() => m.Rename(ws, root, "link", root, "empty", replace: true));
        Refused<NotAFileException>(() => m.Rename(ws, root, "link", root, "dir", replace: true));
        Refused<OperationNotSupportedException>(() => m.SetAttributes(ws, link, new AttributeChange(Mode: 0x1C0)));
        _ = empty;
    }

    [Fact]
    public async Task A_link_replaces_a_file_and_a_file_replaces_a_link_by_inode_and_verify_stays_healthy()
    {
        var m = Store.Mutations;
        var root = _ws.RootInode;
        m.Rename(Ref, root, "link", Ino("/dir"), "file", replace: true);
        Assert.Equal("dir", _ws.Stat("/dir/file").LinkTarget);
        await _ws.Write("/f2", "two");
        m.Rename(Ref, root, "f2", Ino("/dir"), "inner-link", replace: true);
        Assert.Equal("two", await _ws.ReadText("/dir/inner-link"));
        Assert.True(Store.Verify().IsHealthy);
        Store.CollectGarbage(GcMode.Full);
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public void Recursive_delete_of_a_directory_holding_links_leaves_no_garbage_behind()
    {
        var snap = _ws.Snapshot();
        _ws.Delete("/dir", recursive: true);
        Assert.False(_ws.Exists("/dir"));
        Assert.True(_ws.Exists("/link")); // dangling now, still a link
        Store.ReleaseSnapshot(snap.Id);
        Store.CollectGarbage(GcMode.Full);
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    [Fact]
    public void Store_operations_on_a_link_path_are_typed_refusals_that_create_nothing()
    {
        var snapshotsBefore = Store.ListSnapshots().Count;
        var workspacesBefore = Store.ListWorkspaces().Count;
        var lines = AttackTree.Lines(_ws);
        var snap = _ws.Snapshot();

        Assert.Throws<NotADirectoryException>(() => Store.Clone("/ws/link", "/c1"));
        Assert.Throws<NotADirectoryException>(() => Store.Clone("/ws/link/sub", "/c2"));
        Assert.Throws<NotADirectoryException>(() => Store.Snapshot("/ws/link"));
        Assert.Throws<NotADirectoryException>(() => Store.Snapshot("/ws/link/sub"));
        Assert.Throws<NotADirectoryException>(() => Store.Diff("/ws/link", "/ws/dir"));
        Assert.Throws<NotADirectoryException>(() => Store.Diff(snap, "/ws/link"));
        Assert.ThrowsAny<NoKVException>(() => Store.Rollback("/ws/link", snap.Id));
        Assert.ThrowsAny<NoKVException>(() => Store.Rollback("/ws/link/sub", snap.Id));
        Assert.ThrowsAny<NoKVException>(() => Store.Promote("/ws/link", "/ws"));

        Assert.Equal(snapshotsBefore + 1, Store.ListSnapshots().Count);
        Assert.Equal(workspacesBefore, Store.ListWorkspaces().Count);
        Assert.Equal(lines, AttackTree.Lines(_ws));
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Subtree_rollback_of_a_directory_the_head_replaced_by_a_link_is_a_typed_refusal()
    {
        var snap = Store.Snapshot("/ws/dir");
        _ws.Delete("/dir", recursive: true);
        _ws.CreateSymbolicLink("/dir", "elsewhere");
        var lines = AttackTree.Lines(_ws);

        Assert.ThrowsAny<NoKVException>(() => Store.Rollback("/ws/dir", snap.Id));
        Assert.Equal(lines, AttackTree.Lines(_ws));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Subtree_rollback_turns_links_back_into_directories_and_directories_back_into_links()
    {
        _ws.CreateDirectory("/p/d");
        await _ws.Write("/p/d/x", "x");
        _ws.CreateSymbolicLink("/p/l", "d");
        var snap = Store.Snapshot("/ws/p");
        var before = await _ws.Tree();

        _ws.Delete("/p/d", recursive: true);
        _ws.CreateSymbolicLink("/p/d", "gone");
        _ws.Delete("/p/l");
        _ws.CreateDirectory("/p/l/deep");
        await _ws.Write("/p/l/deep/y", "y");

        Store.Rollback("/ws/p", snap.Id);

        Assert.Equal(before, await _ws.Tree());
        Assert.Empty(Store.Diff(snap, "/ws/p"));
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task Clone_of_a_workspace_with_links_and_diff_and_promote_of_link_kind_changes()
    {
        var fork = Store.Clone("/ws", "/fork").Workspace;
        fork.Delete("/link");
        fork.CreateDirectory("/link/new");
        await fork.Write("/link/new/f", "n");
        fork.Delete("/dir/inner-link");
        fork.CreateSymbolicLink("/dir/inner-link", "retargeted");

        var result = Store.Promote("/fork", "/ws");

        Assert.True(result.Promoted);
        Assert.Empty(Store.Diff("/ws", "/fork"));
        Assert.Equal("n", await _ws.ReadText("/link/new/f"));
        Assert.Equal("retargeted", _ws.Stat("/dir/inner-link").LinkTarget);
        Assert.True(Store.Verify().IsHealthy);
    }
}
