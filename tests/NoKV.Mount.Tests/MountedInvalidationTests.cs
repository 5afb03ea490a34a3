namespace NoKV.Tests;

/// <summary>
/// Changes made beside a mount (rollback, promote into it, the Workspace API, another mount of
/// the same workspace) are visible through it as soon as the call returns, even with kernel
/// cache timeouts far longer than the test: the mount drops what the kernel cached.
/// </summary>
public sealed class MountedInvalidationTests
{
    /// <summary>Caches that outlive every test here: without invalidation the old state would show.</summary>
    private static readonly MountOptions LongCaches = new()
    {
        EntryTimeout = TimeSpan.FromSeconds(600),
        NegativeEntryTimeout = TimeSpan.FromSeconds(600),
        AttributeTimeout = TimeSpan.FromSeconds(600),
    };

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition(), "not seen within 5 seconds");
    }

    private static bool Exists(string directory, string name) => Fuse.Run(directory, "test", "-e", name).ExitCode == 0;

    [FuseFact]
    public async Task Cat_right_after_a_rollback_returns_the_rolled_back_bytes()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "before"u8.ToArray());
        await t.Base.WriteAllBytesAsync("/gone-after", "kept by the snapshot"u8.ToArray());
        var pin = t.Base.Snapshot();
        await t.Base.WriteAllBytesAsync("/f", "after the snapshot, longer"u8.ToArray());
        await t.Base.WriteAllBytesAsync("/new", "only after"u8.ToArray());
        t.Base.Delete("/gone-after");
        var mount = await t.MountAsync("/base", LongCaches);
        var dir = mount.Directory;
        // Fill the kernel's caches: bytes, attributes, names found and not found.
        Assert.Equal("after the snapshot, longer", Fuse.RunOk(dir, "cat", "f"));
        Assert.Equal("only after", Fuse.RunOk(dir, "cat", "new"));
        Assert.False(Exists(dir, "gone-after"));
        Assert.Equal("26", Fuse.RunOk(dir, "stat", "-c", "%s", "f").Trim());

        t.Base.Rollback(pin);

        Assert.Equal("before", Fuse.RunOk(dir, "cat", "f"));
        Assert.Equal("6", Fuse.RunOk(dir, "stat", "-c", "%s", "f").Trim());
        Assert.False(Exists(dir, "new"));
        Assert.Equal("kept by the snapshot", Fuse.RunOk(dir, "cat", "gone-after"));
        Assert.Equal(["f", "gone-after"], Fuse.RunOk(dir, "ls").Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [FuseFact]
    public async Task Ls_right_after_a_promote_into_the_mounted_workspace_shows_the_promoted_files()
    {
        await using var t = new MountedStore();
        t.Base.CreateDirectory("/src");
        await t.Base.WriteAllBytesAsync("/src/a.txt", "a"u8.ToArray());
        t.Store.Clone("/base", "/fork");
        var fork = t.Store.OpenWorkspace("/fork");
        await fork.WriteAllBytesAsync("/src/a.txt", "a, changed in the fork"u8.ToArray());
        await fork.WriteAllBytesAsync("/src/b.txt", "b"u8.ToArray());
        var mount = await t.MountAsync("/base", LongCaches);
        var dir = mount.Directory;
        Assert.Equal("a.txt\n", Fuse.RunOk(dir, "ls", "src"));
        Assert.Equal("a", Fuse.RunOk(dir, "cat", "src/a.txt"));
        Assert.False(Exists(dir, "src/b.txt"));

        Assert.True(t.Store.Promote("/fork", "/base").Promoted);

        // Names first: a listing (READDIRPLUS) would refresh the kernel's entries by itself.
        Assert.Equal("b", Fuse.RunOk(dir, "cat", "src/b.txt"));
        Assert.Equal("a, changed in the fork", Fuse.RunOk(dir, "cat", "src/a.txt"));
        Assert.Equal("a.txt\nb.txt\n", Fuse.RunOk(dir, "ls", "src"));
    }

    [FuseFact]
    public async Task Cat_right_after_a_write_through_the_workspace_api_returns_the_new_bytes()
    {
        await using var t = new MountedStore();
        t.Base.CreateDirectory("/d");
        await t.Base.WriteAllBytesAsync("/d/f", "old"u8.ToArray());
        await t.Base.WriteAllBytesAsync("/d/doomed", "x"u8.ToArray());
        var mount = await t.MountAsync("/base", LongCaches);
        var dir = mount.Directory;
        Assert.Equal("old", Fuse.RunOk(dir, "cat", "d/f"));
        Assert.False(Exists(dir, "d/later"));
        Assert.Equal("doomed\nf\n", Fuse.RunOk(dir, "ls", "d"));

        await t.Base.WriteAllBytesAsync("/d/f", "new and longer"u8.ToArray());
        await t.Base.WriteAllBytesAsync("/d/later", "created beside the mount"u8.ToArray());
        t.Base.Delete("/d/doomed");

        Assert.Equal("new and longer", Fuse.RunOk(dir, "cat", "d/f"));
        Assert.Equal("created beside the mount", Fuse.RunOk(dir, "cat", "d/later"));
        Assert.False(Exists(dir, "d/doomed"));
        Assert.Equal("f\nlater\n", Fuse.RunOk(dir, "ls", "d"));
    }

    [FuseFact]
    public async Task A_file_written_through_one_mount_is_seen_through_another_mount_of_the_same_workspace()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "one"u8.ToArray());
        var first = await t.MountAsync("/base", LongCaches);
        var second = await t.MountAsync("/base", LongCaches);
        Assert.Equal("one", Fuse.RunOk(second.Directory, "cat", "f"));
        Assert.False(Exists(second.Directory, "g"));

        File.WriteAllText(Path.Combine(first.Directory, "f"), "two, through the first mount");
        File.WriteAllText(Path.Combine(first.Directory, "g"), "g");

        // The notices to the second mount go out beside the first mount's request (never on its
        // thread, where the kernel could hold them): within moments, not before close returns.
        await Eventually(() => Fuse.RunOk(second.Directory, "cat", "f") == "two, through the first mount");
        await Eventually(() => Exists(second.Directory, "g"));
        Assert.Equal("g", Fuse.RunOk(second.Directory, "cat", "g"));
    }
}
