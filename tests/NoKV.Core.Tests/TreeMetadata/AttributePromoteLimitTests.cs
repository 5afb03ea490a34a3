namespace NoKV.Tests.TreeMetadata;

/// <summary>
/// A directory whose attributes a promote copies is not copied whole, so what the fork added
/// below it is measured against the path limits on its own.
/// </summary>
public sealed class AttributePromoteLimitTests
{
    [Fact]
    public async Task Entries_added_below_a_directory_whose_mode_changed_are_held_to_the_limits()
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var baseWs = store.CreateWorkspace("/base");
        baseWs.CreateDirectory(PathLimitTests.Chain(200) + "/x");
        var fork = store.Clone("/base" + PathLimitTests.Chain(200), "/fork").Workspace;
        fork.SetUnixFileMode("/x", (UnixFileMode)0x1C0);
        fork.CreateDirectory("/x" + PathLimitTests.Chain(99, "y")); // 100 deep in the fork, 300 in the base
        await fork.Write("/x" + PathLimitTests.Chain(99, "y") + "/f", "deep");
        var before = await baseWs.Tree();

        var e = Assert.Throws<PathLimitExceededException>(() => store.Promote("/fork", "/base" + PathLimitTests.Chain(200)));
        Assert.Equal(257, e.Path.Count(c => c == '/'));
        Assert.Equal(before, await baseWs.Tree());
        Assert.Equal((UnixFileMode)0x1ED, baseWs.Stat(PathLimitTests.Chain(200) + "/x").Mode);
    }
}
