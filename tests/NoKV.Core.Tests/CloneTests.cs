namespace NoKV.Tests;

public sealed class CloneTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _base;
    private WorkspaceStore Store => _temp.Store;

    public CloneTests() => _base = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    private async Task Seed()
    {
        _base.CreateDirectory("/src");
        await _base.Write("/src/a.cs", "A");
        await _base.WriteAllBytesAsync("/weights.bin", TestData.Bytes(5 * TempStore.SmallChunk, 9));
    }

    [Fact]
    public async Task Clone_shares_every_block_and_copies_no_data()
    {
        await Seed();
        var blocks = _temp.BlockFiles();
        var handle = Store.Clone("/base", "/forks/agent-1");

        Assert.Equal("/forks/agent-1", handle.Root);
        Assert.Equal(_base.RootInode, handle.RootInode);
        Assert.Equal(blocks, _temp.BlockFiles());
        Assert.Equal(await _base.Tree(), await handle.Workspace.Tree());
        Assert.Equal(_base.Stat("/weights.bin").Generation, handle.Workspace.Stat("/weights.bin").Generation);
        Assert.Equal("/base", Store.GetSnapshot(handle.SnapshotId).Root);
    }

    [Fact]
    public async Task Forks_are_isolated_from_the_base_each_other_and_the_snapshot()
    {
        await Seed();
        var a = Store.Clone("/base", "/forks/a");
        var b = Store.Clone("/base", "/forks/b");
        var pin = Store.GetSnapshot(a.SnapshotId);
        var original = await pin.Tree();

        await a.Workspace.Write("/src/a.cs", "changed by a");
        await a.Workspace.Write("/only-a", "a");
        b.Workspace.Delete("/src", recursive: true);
        await _base.Write("/only-base", "base");

        Assert.Equal("A", await _base.ReadText("/src/a.cs"));
        Assert.False(_base.Exists("/only-a"));
        Assert.Equal("changed by a", await a.Workspace.ReadText("/src/a.cs"));
        Assert.False(a.Workspace.Exists("/only-base"));
        Assert.False(b.Workspace.Exists("/src"));
        Assert.True(a.Workspace.Exists("/src"));
        Assert.Equal(original, await pin.Tree());
    }

    [Fact]
    public async Task A_fork_write_mints_its_own_blocks_and_never_touches_shared_ones()
    {
        await Seed();
        var shared = _temp.BlockFiles().ToDictionary(f => f, File.ReadAllBytes);
        var fork = Store.Clone("/base", "/forks/a").Workspace;
        await fork.WriteAllBytesAsync("/weights.bin", TestData.Bytes(5 * TempStore.SmallChunk, 10));

        foreach (var (file, bytes) in shared) Assert.Equal(bytes, File.ReadAllBytes(file));
        var forkId = Store.ListWorkspaces().Single(w => w.Path == "/forks/a").Id;
        var newBlocks = _temp.BlockFiles().Except(shared.Keys).ToList();
        Assert.Equal(5, newBlocks.Count);
        Assert.All(newBlocks, f => Assert.StartsWith(Path.Combine(_temp.BlocksDirectory, forkId.ToString(System.Globalization.CultureInfo.InvariantCulture)), f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Clone_from_a_snapshot_and_from_a_subdirectory()
    {
        await Seed();
        var pin = _base.Snapshot();
        await _base.Write("/src/a.cs", "later");

        var fromPin = Store.Clone(pin, "/forks/pin");
        Assert.Equal(pin.Id, fromPin.SnapshotId);
        Assert.Equal("A", await fromPin.Workspace.ReadText("/src/a.cs"));

        var sub = Store.Clone("/base/src", "/forks/src-only");
        Assert.Equal(["a.cs"], sub.Workspace.List("/").Select(n => n.Name));
        Assert.Equal("later", await sub.Workspace.ReadText("/a.cs"));
        await sub.Workspace.Write("/b.cs", "B");
        Assert.False(_base.Exists("/src/b.cs"));
    }

    [Fact]
    public async Task Clone_onto_an_existing_or_nesting_path_is_refused()
    {
        await Seed();
        Store.CreateWorkspace("/forks/taken");
        Assert.Throws<WorkspaceAlreadyExistsException>(() => Store.Clone("/base", "/forks/taken"));
        Assert.Throws<WorkspaceNestingException>(() => Store.Clone("/base", "/base/inner"));
        Assert.Throws<WorkspaceNestingException>(() => Store.Clone("/base", "/forks"));
        Assert.Empty(Store.ListSnapshots("/base"));
        Assert.Equal(["/base", "/forks/taken"], Store.ListWorkspaces().Select(w => w.Path));
    }

    [Fact]
    public async Task Released_snapshot_cannot_be_cloned()
    {
        await Seed();
        var pin = _base.Snapshot();
        Store.ReleaseSnapshot(pin.Id);
        Assert.Throws<SnapshotNotFoundException>(() => Store.Clone(pin, "/forks/x"));
        Assert.False(Store.WorkspaceExists("/forks/x"));
    }

    [Fact]
    public async Task Hundred_forks_in_parallel_each_see_only_their_own_writes()
    {
        await Seed();
        var pin = _base.Snapshot();
        var forks = Enumerable.Range(0, 100).Select(i => $"/forks/agent-{i}").ToArray();
        await Parallel.ForEachAsync(forks, async (path, ct) =>
        {
            var ws = Store.Clone(pin, path).Workspace;
            await ws.WriteAllBytesAsync("/src/a.cs", TestData.Text(path), ct);
        });
        foreach (var path in forks)
        {
            var ws = Store.OpenWorkspace(path);
            Assert.Equal(path, await ws.ReadText("/src/a.cs"));
            Assert.Equal([new SubtreeDelta("/src/a.cs", DeltaKind.Modified)], Store.Diff(pin, path));
        }
        Assert.Equal("A", await _base.ReadText("/src/a.cs"));
    }
}
