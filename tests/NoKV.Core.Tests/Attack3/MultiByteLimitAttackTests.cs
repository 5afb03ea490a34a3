namespace NoKV.Tests;

/// <summary>
/// Names of 3- and 4-byte UTF-8 characters right at the byte limits: 255-byte names, 4,096-byte
/// 256-deep inner paths, 500-byte workspace paths, and store paths that are both together.
/// </summary>
public sealed class MultiByteLimitAttackTests
{
    // 85 × U+20AC (3 bytes) = 255 bytes; 63 × U+1F600 (4 bytes) + U+20AC = 255 bytes.
    private static readonly string Name3 = new('€', 85);
    private static readonly string Name4 = string.Concat(Enumerable.Repeat("😀", 63)) + "€";
    private const string Seg = "€€€€€"; // 15 bytes + '/' = 16: 256 of them are 4,096 bytes

    // "/" + Name3 (256) + "/" + 81 × '€' (244) = 500 bytes.
    private static readonly string Ws500 = "/" + Name3 + "/" + new string('€', 81);

    private static string DeepDirs(int depth) => string.Concat(Enumerable.Repeat("/" + Seg, depth));

    private static int Bytes(string s) => System.Text.Encoding.UTF8.GetByteCount(s);

    /// <summary>A workspace with 255 nested directories and a file at depth 256 (4,096 bytes).</summary>
    private static async Task<(Workspace Ws, string FilePath)> DeepTree(WorkspaceStore store, string wsPath)
    {
        var ws = store.CreateWorkspace(wsPath);
        ws.CreateDirectory(DeepDirs(255));
        var file = DeepDirs(256);
        Assert.Equal(4096, Bytes(file));
        await ws.Write(file, "bottom");
        return (ws, file);
    }

    [Fact]
    public async Task Names_of_multi_byte_characters_are_held_to_255_bytes_not_chars()
    {
        using var t = new TempStore();
        Assert.Equal(255, Bytes(Name3));
        Assert.Equal(255, Bytes(Name4));
        Assert.Equal(500, Bytes(Ws500));
        var ws = t.Store.CreateWorkspace("/w");
        await ws.Write("/" + Name4, "four");
        ws.CreateDirectory("/" + Name3);
        ws.Move("/" + Name4, "/" + Name3 + "/" + Name4);
        Assert.Equal("four", await ws.ReadText("/" + Name3 + "/" + Name4));
        Assert.Throws<InvalidPathException>(() => ws.Move("/" + Name3 + "/" + Name4, "/" + Name4 + "😀"));
        Assert.Throws<InvalidPathException>(() => ws.CreateDirectory("/" + Name3 + "€"));
        Assert.Equal("four", await ws.ReadText("/" + Name3 + "/" + Name4));
        Assert.Throws<InvalidPathException>(() => t.Store.CreateWorkspace(Ws500 + "€"));
        var big = t.Store.CreateWorkspace(Ws500);
        Assert.Equal(Ws500, big.Path);
        t.Reopen();
        Assert.Equal("four", await t.Store.OpenWorkspace("/w").ReadText("/" + Name3 + "/" + Name4));
        Assert.True(t.Store.WorkspaceExists(Ws500));
    }

    [Fact]
    public async Task A_full_depth_tree_cloned_into_a_500_byte_workspace_path_works_by_store_path()
    {
        using var t = new TempStore();
        var store = t.Store;
        var (src, file) = await DeepTree(store, "/src");

        var clone = store.Clone("/src", Ws500);
        var storeFile = Ws500 + file;
        Assert.Equal(500 + 4096, Bytes(storeFile));

        var located = store.Locate(storeFile);
        Assert.Equal(file, located.Path);
        Assert.Equal(Ws500, located.Workspace.Path);
        Assert.Equal("bottom", await located.Workspace.ReadText(located.Path));

        // Snapshot of the deepest directory by store path, and of the whole clone.
        var deepestDir = Ws500 + DeepDirs(255);
        var dirPin = store.Snapshot(deepestDir);
        Assert.Equal("bottom", await dirPin.ReadText("/" + Seg));
        var wsPin = store.Snapshot(Ws500);

        await clone.Workspace.Write(file, "changed");
        var diff = store.Diff("/src", Ws500);
        Assert.Equal([new SubtreeDelta(file, DeltaKind.Modified)], diff);
        var subDiff = store.Diff(dirPin, deepestDir);
        Assert.Equal([new SubtreeDelta("/" + Seg, DeltaKind.Modified)], subDiff);

        var promoted = store.Promote(Ws500, "/src");
        Assert.True(promoted.Promoted);
        Assert.Equal("changed", await src.ReadText(file));

        store.Rollback(deepestDir, dirPin.Id);
        Assert.Equal("bottom", await clone.Workspace.ReadText(file));
        await clone.Workspace.Write(file, "again");
        store.Rollback(Ws500, wsPin.Id);
        Assert.Equal("bottom", await clone.Workspace.ReadText(file));

        // One byte more than the store path limit is refused, not truncated or misfiled.
        Assert.Throws<InvalidPathException>(() => store.Locate(storeFile + "x"));
        Assert.Empty(store.Verify().Problems);
    }

    [Fact]
    public async Task A_deep_subtree_cloned_into_a_500_byte_path_and_grown_cannot_be_promoted_beyond_the_limits()
    {
        using var t = new TempStore();
        var store = t.Store;
        var (src, file) = await DeepTree(store, "/src");
        var fork = store.Clone("/src/" + Seg, Ws500).Workspace; // fork root = /src/Seg, so one level shallower
        var forkFile = DeepDirs(255);
        Assert.Equal("bottom", await fork.ReadText(forkFile));
        // In the fork the file's place can become a directory with a file below: depth 256 there, 257 in /src.
        fork.Delete(forkFile);
        fork.CreateDirectory(forkFile);
        await fork.Write(forkFile + "/" + Seg, "too deep at home");
        var before = await src.Tree();
        var pinsBefore = store.ListSnapshots("/src").Count;

        foreach (var strategy in new[] { PromoteStrategy.FailOnConflict, PromoteStrategy.PreferFork, PromoteStrategy.PreferTarget })
        {
            Assert.Throws<PathLimitExceededException>(() => store.Promote(Ws500, "/src/" + Seg, new PromoteOptions { Strategy = strategy }));
            Assert.Equal(before, await src.Tree());
        }
        Assert.Equal(pinsBefore, store.ListSnapshots("/src").Count);
    }

    [Fact]
    public async Task PreferFork_bringing_back_a_deleted_deep_directory_beyond_the_limits_is_refused_and_changes_nothing()
    {
        using var t = new TempStore();
        var store = t.Store;
        var src = store.CreateWorkspace("/src");
        src.CreateDirectory("/a");
        var fork = store.Clone("/src/a", "/fork").Workspace; // fork root is /src/a
        // The fork grows a full-depth tree (256 deep in the fork, 257 in /src/a).
        fork.CreateDirectory(DeepDirs(255));
        await fork.Write(DeepDirs(256), "deep");
        // Meanwhile the target deletes /a's contents... and /a itself keeps existing; add a
        // conflicting change on the same top directory: the target creates /a/Seg as a file.
        await src.Write("/a/" + Seg, "target's file");
        var before = await src.Tree();
        var pinsBefore = store.ListSnapshots("/src").Count;

        Assert.Throws<PathLimitExceededException>(() => store.Promote("/fork", "/src/a", new PromoteOptions { Strategy = PromoteStrategy.PreferFork }));
        Assert.Equal(before, await src.Tree());
        Assert.Equal(pinsBefore, store.ListSnapshots("/src").Count);
    }

    [Fact]
    public async Task PreferFork_restoring_a_directory_the_target_deleted_while_the_target_moved_deeper()
    {
        using var t = new TempStore();
        var store = t.Store;
        var src = store.CreateWorkspace("/src");
        src.CreateDirectory("/a" + DeepDirs(253)); // /a + 253 = 254 deep
        await src.Write("/a" + DeepDirs(254), "leaf"); // depth 255
        var fork = store.Clone("/src/a", "/fork").Workspace; // fork: leaf at depth 254
        await fork.Write(DeepDirs(254), "fork edit");
        // The target moves /a two levels deeper: still fits (leaf at 257? no: 255 + 2 = 257 > 256).
        src.CreateDirectory("/x/y");
        Assert.Throws<PathLimitExceededException>(() => src.Move("/a", "/x/y/a"));
        // One level deeper fits exactly (leaf at 256).
        src.CreateDirectory("/x");
        src.Move("/a", "/x/a");
        Assert.Equal("leaf", await src.ReadText("/x/a" + DeepDirs(254)));
        // The target deletes the first directory below /x/a; the fork edited the leaf below it.
        src.Delete("/x/a/" + Seg, recursive: true);
        var result = store.Promote("/fork", "/src/x/a", new PromoteOptions { Strategy = PromoteStrategy.PreferFork });
        Assert.True(result.Promoted);
        Assert.Equal("fork edit", await src.ReadText("/x/a" + DeepDirs(254)));
        // Now the fork grows one level below its leaf's directory: 255 in the fork, 257 at /src/x/a.
        fork.CreateDirectory(DeepDirs(253) + "/n");
        await fork.Write(DeepDirs(253) + "/n/m", "grown");
        src.Delete("/x/a/" + Seg, recursive: true);
        var before = await src.Tree();
        var pinsBefore = store.ListSnapshots("/src").Count;
        Assert.Throws<PathLimitExceededException>(() => store.Promote("/fork", "/src/x/a", new PromoteOptions { Strategy = PromoteStrategy.PreferFork }));
        Assert.Equal(before, await src.Tree());
        Assert.Empty(store.Verify().Problems);
    }

    [Fact]
    public async Task Renaming_a_top_directory_to_a_longer_multi_byte_name_at_the_same_depth_is_refused_when_bytes_overflow()
    {
        using var t = new TempStore();
        var (ws, file) = await DeepTree(t.Store, "/w");
        var before = await ws.Tree();
        // 15 → 18 bytes: the bottom file would be 4,099 bytes.
        Assert.Throws<PathLimitExceededException>(() => ws.Move("/" + Seg, "/" + Seg + "€"));
        // 15 → 15 bytes with 4-byte characters plus ASCII ("😀😀😀😀" is 16): refused; "😀😀😀€" is 15: fine.
        Assert.Throws<PathLimitExceededException>(() => ws.Move("/" + Seg, "/😀😀😀😀"));
        Assert.Equal(before, await ws.Tree());
        ws.Move("/" + Seg, "/😀😀😀€");
        Assert.Equal("bottom", await ws.ReadText("/😀😀😀€" + DeepDirs(255)));
        Assert.Empty(t.Store.Verify().Problems);
    }

    [Fact]
    public async Task A_pin_of_a_deleted_workspace_clones_into_a_500_byte_path()
    {
        using var t = new TempStore();
        var (_, file) = await DeepTree(t.Store, "/gone");
        var pin = t.Store.Snapshot("/gone");
        t.Store.DeleteWorkspace("/gone");
        var clone = t.Store.Clone(pin, Ws500);
        Assert.Equal("bottom", await clone.Workspace.ReadText(file));
        Assert.Equal("bottom", await t.Store.Locate(Ws500 + file).Workspace.ReadText(file));
        t.Reopen();
        Assert.Equal("bottom", await t.Store.OpenWorkspace(Ws500).ReadText(file));
        Assert.Empty(t.Store.Verify().Problems);
    }
}
