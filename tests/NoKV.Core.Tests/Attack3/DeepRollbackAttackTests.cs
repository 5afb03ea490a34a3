namespace NoKV.Tests;

/// <summary>
/// Rollback of a directory snapshot after the directory moved deeper or longer (multi-byte
/// names), and store paths at the deepest store-path depth (a 250-segment workspace path
/// followed by a 256-deep inner path).
/// </summary>
public sealed class DeepRollbackAttackTests
{
    private const string Seg = "€€€€€"; // 16 bytes with its '/'
    private static readonly string Name4 = string.Concat(Enumerable.Repeat("😀", 63)) + "€"; // 255 bytes

    private static string DeepDirs(int depth) => string.Concat(Enumerable.Repeat("/" + Seg, depth));

    [Fact]
    public async Task Rollback_of_a_directory_moved_one_level_deeper_is_refused_when_the_snapshot_would_not_fit()
    {
        using var t = new TempStore();
        var store = t.Store;
        var ws = store.CreateWorkspace("/w");
        ws.CreateDirectory("/a" + DeepDirs(254)); // deepest dir at 255
        await ws.Write("/a" + DeepDirs(255), "leaf"); // 256
        var pin = store.Snapshot("/w/a");
        ws.Delete("/a/" + Seg, recursive: true);
        ws.CreateDirectory("/x");
        ws.Move("/a", "/x/a");
        var before = await ws.Tree();
        Assert.Throws<PathLimitExceededException>(() => store.Rollback("/w/x/a", pin.Id));
        Assert.Equal(before, await ws.Tree());
    }

    [Fact]
    public async Task Rollback_of_a_directory_renamed_to_a_longer_multi_byte_name_is_refused_when_bytes_would_not_fit()
    {
        using var t = new TempStore();
        var store = t.Store;
        var ws = store.CreateWorkspace("/w");
        // "/a" (2 bytes) + 254 × 16 = 4,066 bytes; renamed to a 255-byte name: 4,319 > 4,096.
        ws.CreateDirectory("/a" + DeepDirs(253));
        await ws.Write("/a" + DeepDirs(254), "leaf");
        var pin = store.Snapshot("/w/a");
        ws.Delete("/a/" + Seg, recursive: true);
        ws.Move("/a", "/" + Name4); // same depth, longer
        var before = await ws.Tree();
        Assert.Throws<PathLimitExceededException>(() => store.Rollback("/w/" + Name4, pin.Id));
        Assert.Equal(before, await ws.Tree());
        // Moved back where it was taken, the rollback fits and restores everything.
        ws.Move("/" + Name4, "/a");
        store.Rollback("/w/a", pin.Id);
        Assert.Equal("leaf", await ws.ReadText("/a" + DeepDirs(254)));
    }

    [Fact]
    public async Task Store_paths_at_the_deepest_store_depth_locate_snapshot_and_diff()
    {
        using var t = new TempStore();
        var store = t.Store;
        var wsPath = string.Concat(Enumerable.Repeat("/a", 250)); // 500 bytes, 250 segments
        var ws = store.CreateWorkspace(wsPath);
        var inner = string.Concat(Enumerable.Repeat("/b", 256)); // 256 deep
        ws.CreateDirectory(inner[..^2]);
        await ws.Write(inner, "x");
        var located = store.Locate(wsPath + inner);
        Assert.Equal(inner, located.Path);
        var pin = store.Snapshot(wsPath + inner[..^2]);
        await ws.Write(inner, "y");
        Assert.Equal([new SubtreeDelta("/b", DeltaKind.Modified)], store.Diff(pin, wsPath + inner[..^2]));
        store.Rollback(wsPath + inner[..^2], pin.Id);
        Assert.Equal("x", await ws.ReadText(inner));
        var clone = store.Clone(wsPath + inner[..^2], "/c");
        Assert.Equal("x", await clone.Workspace.ReadText("/b"));
        Assert.Throws<InvalidPathException>(() => store.Locate(wsPath + inner + "/b"));
        Assert.Empty(store.Verify().Problems);
    }
}
