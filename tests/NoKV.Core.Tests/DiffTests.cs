namespace NoKV.Tests;

public sealed class DiffTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _base;
    private WorkspaceStore Store => _temp.Store;

    public DiffTests() => _base = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    private static SubtreeDelta A(string p) => new(p, DeltaKind.Added);
    private static SubtreeDelta R(string p) => new(p, DeltaKind.Removed);
    private static SubtreeDelta M(string p) => new(p, DeltaKind.Modified);

    private async Task<Workspace> SeedAndFork()
    {
        _base.CreateDirectory("/src/lib");
        await _base.Write("/src/a", "a");
        await _base.Write("/src/lib/b", "b");
        await _base.Write("/old", "old");
        await _base.Write("/same", "same");
        return Store.Clone("/base", "/forks/f").Workspace;
    }

    [Fact]
    public async Task Fresh_clone_has_no_differences()
    {
        await SeedAndFork();
        Assert.Empty(Store.Diff("/base", "/forks/f"));
    }

    [Fact]
    public async Task Added_removed_and_modified_paths_are_reported_sorted()
    {
        var fork = await SeedAndFork();
        await fork.Write("/b", "new");
        await fork.Write("/src/a", "changed");
        fork.Delete("/old");

        Assert.Equal([A("/b"), R("/old"), M("/src/a")], Store.Diff("/base", "/forks/f"));
        Assert.Equal([R("/b"), A("/old"), M("/src/a")], Store.Diff("/forks/f", "/base"));
    }

    [Fact]
    public async Task A_rewrite_with_equal_bytes_is_modified()
    {
        var fork = await SeedAndFork();
        await fork.Write("/same", "same");
        Assert.Equal([M("/same")], Store.Diff("/base", "/forks/f"));
    }

    [Fact]
    public async Task Added_and_removed_directories_list_their_subtrees()
    {
        var fork = await SeedAndFork();
        fork.CreateDirectory("/new/deep");
        await fork.Write("/new/deep/x", "x");
        fork.Delete("/src", recursive: true);

        Assert.Equal(
            [A("/new"), A("/new/deep"), A("/new/deep/x"), R("/src"), R("/src/a"), R("/src/lib"), R("/src/lib/b")],
            Store.Diff("/base", "/forks/f"));
    }

    [Fact]
    public async Task A_moved_directory_is_removed_at_its_old_path_and_added_at_the_new()
    {
        var fork = await SeedAndFork();
        fork.Move("/src/lib", "/lib");
        Assert.Equal([A("/lib"), A("/lib/b"), R("/src/lib"), R("/src/lib/b")], Store.Diff("/base", "/forks/f"));
    }

    [Fact]
    public async Task File_replaced_by_directory_is_modified_with_its_children_added()
    {
        var fork = await SeedAndFork();
        fork.Delete("/old");
        fork.CreateDirectory("/old");
        await fork.Write("/old/inner", "i");
        Assert.Equal([M("/old"), A("/old/inner")], Store.Diff("/base", "/forks/f"));
    }

    [Fact]
    public async Task Changes_in_both_base_and_fork_are_seen()
    {
        var fork = await SeedAndFork();
        await _base.Write("/src/a", "base changed");
        await fork.Write("/fork-only", "f");
        Assert.Equal([A("/fork-only"), M("/src/a")], Store.Diff("/base", "/forks/f"));
    }

    [Fact]
    public async Task Deleting_and_recreating_a_directory_compares_its_entries()
    {
        var fork = await SeedAndFork();
        fork.Delete("/src", recursive: true);
        fork.CreateDirectory("/src/lib");
        await fork.Write("/src/lib/c", "c");
        Assert.Equal([R("/src/a"), R("/src/lib/b"), A("/src/lib/c")], Store.Diff("/base", "/forks/f"));
    }

    [Fact]
    public async Task Diff_of_subtrees_uses_paths_relative_to_each_root()
    {
        var fork = await SeedAndFork();
        await fork.Write("/src/lib/b", "changed");
        await fork.Write("/outside", "not in the subtree");
        Assert.Equal([M("/lib/b")], Store.Diff("/base/src", "/forks/f/src"));
    }

    [Fact]
    public async Task Diff_against_a_snapshot_and_between_snapshots()
    {
        await SeedAndFork();
        var before = _base.Snapshot();
        await _base.Write("/src/a", "2");
        await _base.Write("/added", "+");
        var after = _base.Snapshot();
        await _base.Write("/later", "l");

        Assert.Equal([A("/added"), A("/later"), M("/src/a")], Store.Diff(before, "/base"));
        Assert.Equal([A("/added"), M("/src/a")], Store.Diff(before, after));
    }

    [Fact]
    public async Task Unrelated_workspaces_are_compared_by_walking_both_trees()
    {
        await _base.Write("/same-path", "x");
        await _base.Write("/only-base", "x");
        var other = Store.CreateWorkspace("/other");
        await other.Write("/same-path", "x");
        await other.Write("/only-other", "y");

        // Separately written files have different generations: Modified, even with equal bytes.
        Assert.Equal([R("/only-base"), A("/only-other"), M("/same-path")], Store.Diff("/base", "/other"));
    }

    [Fact]
    public async Task Fast_diff_agrees_with_a_full_tree_walk()
    {
        var fork = await SeedAndFork();
        await fork.Write("/src/lib/b", "2");
        fork.Move("/src/a", "/a-moved");
        fork.CreateDirectory("/n/m");
        _base.Delete("/same");
        await _base.Write("/base-new", "n");

        var fast = Store.Diff("/base", "/forks/f");
        var slow = Store.Read(txn => new Namespace.DiffEngine(txn,
            WorkspaceStore.HeadView(txn, WorkspaceStore.GetWorkspace(txn, "/base")),
            WorkspaceStore.HeadView(txn, WorkspaceStore.GetWorkspace(txn, "/forks/f"))).Run(forceFullWalk: true));
        Assert.NotEmpty(fast);
        Assert.Equal(slow, fast);
    }
}
