namespace NoKV.Tests;

public sealed class WorkspaceLifecycleTests : IDisposable
{
    private readonly TempStore _temp = new();
    private WorkspaceStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Created_workspace_can_be_opened_listed_and_deleted()
    {
        var ws = Store.CreateWorkspace("/base");
        Store.CreateWorkspace("/forks/agent-1");

        Assert.True(Store.WorkspaceExists("/base"));
        Assert.Equal(ws.RootInode, Store.OpenWorkspace("/base").RootInode);
        Assert.Equal(["/base", "/forks/agent-1"], Store.ListWorkspaces().Select(w => w.Path));

        Store.DeleteWorkspace("/base");
        Assert.False(Store.WorkspaceExists("/base"));
        Assert.Throws<WorkspaceNotFoundException>(() => Store.OpenWorkspace("/base"));
        Assert.Throws<WorkspaceNotFoundException>(() => ws.List("/"));
    }

    [Fact]
    public void Creating_an_existing_workspace_throws_and_keeps_it()
    {
        var ws = Store.CreateWorkspace("/base");
        ws.CreateDirectory("/src");
        Assert.Throws<WorkspaceAlreadyExistsException>(() => Store.CreateWorkspace("/base"));
        Assert.True(Store.OpenWorkspace("/base").Exists("/src"));
    }

    [Theory]
    [InlineData("/forks/a", "/forks")]
    [InlineData("/forks/a", "/forks/a/b")]
    [InlineData("/x/y/z", "/x")]
    public void Workspace_paths_never_nest(string existing, string attempted)
    {
        Store.CreateWorkspace(existing);
        var e = Assert.Throws<WorkspaceNestingException>(() => Store.CreateWorkspace(attempted));
        Assert.Equal(existing, e.ExistingWorkspacePath);
        Assert.Equal([existing], Store.ListWorkspaces().Select(w => w.Path));
    }

    [Fact]
    public void Sibling_workspaces_with_a_common_name_prefix_do_not_nest()
    {
        Store.CreateWorkspace("/forks/a");
        Store.CreateWorkspace("/forks/ab");
        Store.CreateWorkspace("/fork");
        Assert.Equal(3, Store.ListWorkspaces().Count);
    }

    [Fact]
    public void Unknown_workspace_throws_typed_exception()
    {
        Assert.Throws<WorkspaceNotFoundException>(() => Store.OpenWorkspace("/nope"));
        Assert.Throws<WorkspaceNotFoundException>(() => Store.DeleteWorkspace("/nope"));
        Assert.Throws<WorkspaceNotFoundException>(() => Store.Snapshot("/nope"));
        Assert.Throws<WorkspaceNotFoundException>(() => Store.Clone("/nope", "/x"));
        Assert.Throws<WorkspaceNotFoundException>(() => Store.Diff("/nope", "/nope"));
    }

    [Fact]
    public void A_handle_does_not_follow_a_new_workspace_at_the_same_path()
    {
        var old = Store.CreateWorkspace("/base");
        Store.DeleteWorkspace("/base");
        Store.CreateWorkspace("/base");
        Assert.Throws<WorkspaceNotFoundException>(() => old.Exists("/"));
    }

    [Fact]
    public void Root_cannot_be_a_workspace()
    {
        Assert.Throws<InvalidPathException>(() => Store.CreateWorkspace("/"));
    }

    [Fact]
    public async Task Everything_acknowledged_survives_a_reopen()
    {
        var ws = Store.CreateWorkspace("/base");
        ws.CreateDirectory("/src");
        await ws.Write("/src/a.txt", "alpha");
        var big = TestData.Bytes(5 * TempStore.SmallChunk + 17, 1);
        await ws.WriteAllBytesAsync("/big.bin", big);
        var pin = ws.Snapshot();
        var clone = Store.Clone(pin, "/forks/one");
        await clone.Workspace.Write("/src/a.txt", "beta");

        var store = _temp.Reopen();

        var reopened = store.OpenWorkspace("/base");
        Assert.Equal("alpha", await reopened.ReadText("/src/a.txt"));
        Assert.Equal(big, await reopened.ReadAllBytesAsync("/big.bin"));
        Assert.Equal("beta", await store.OpenWorkspace("/forks/one").ReadText("/src/a.txt"));
        Assert.Equal("alpha", await store.GetSnapshot(pin.Id).ReadText("/src/a.txt"));
        Assert.Equal(ws.RootInode, reopened.RootInode);

        // New ids after reopen never collide with ones handed out before it.
        await reopened.Write("/new.txt", "n");
        Assert.NotEqual(reopened.Stat("/src/a.txt").Inode, reopened.Stat("/new.txt").Inode);
        Assert.Equal("alpha", await reopened.ReadText("/src/a.txt"));
    }

    [Fact]
    public void Dispose_twice_is_safe_and_use_after_dispose_throws()
    {
        var store = _temp.Store;
        store.Dispose();
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.ListWorkspaces());
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => WorkspaceStore.Open(new WorkspaceStoreOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = _temp.Directory + "-x", ChunkSize = 10 }));
    }
}
