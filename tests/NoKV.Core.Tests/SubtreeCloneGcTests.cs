using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// A clone or snapshot of a directory sees only that directory: once no view of the whole
/// workspace is left, what lies outside it is garbage (issue 12, bug 8).
/// </summary>
public sealed class SubtreeCloneGcTests : IDisposable
{
    private readonly TempStore _temp = new();
    private WorkspaceStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    private async Task<Workspace> BaseWithTopAndSrc()
    {
        var ws = Store.CreateWorkspace("/base");
        ws.CreateDirectory("/src/lib");
        await ws.WriteAllBytesAsync("/top", TestData.Bytes(3 * TempStore.SmallChunk, 1));
        await ws.WriteAllBytesAsync("/src/main", TestData.Bytes(2 * TempStore.SmallChunk, 2));
        await ws.WriteAllBytesAsync("/src/lib/util", TestData.Bytes(TempStore.SmallChunk, 3));
        return ws;
    }

    private void AssertOnlyReachableBlocksRemainAndVerifyIsClean()
    {
        Assert.Equal(ReachableBlocks.Of(Store), _temp.BlockKeys());
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task A_subdirectory_clone_does_not_keep_the_rest_of_its_deleted_base_alive()
    {
        await BaseWithTopAndSrc();
        var clone = Store.Clone("/base/src", "/c");
        Store.DeleteWorkspace("/base");
        Store.ReleaseSnapshot(clone.SnapshotId);
        Store.CollectGarbage(GcMode.Full);

        AssertOnlyReachableBlocksRemainAndVerifyIsClean();
        Assert.Equal(3, _temp.BlockKeys().Count);
        Assert.Equal(TestData.Bytes(2 * TempStore.SmallChunk, 2), await clone.Workspace.ReadAllBytesAsync("/main"));
        Assert.Equal(TestData.Bytes(TempStore.SmallChunk, 3), await clone.Workspace.ReadAllBytesAsync("/lib/util"));
    }

    [Fact]
    public async Task A_subdirectory_snapshot_keeps_only_its_directory_once_the_workspace_is_deleted()
    {
        await BaseWithTopAndSrc();
        var pin = Store.Snapshot("/base/src");
        Store.DeleteWorkspace("/base");
        Store.CollectGarbage(GcMode.Full);

        AssertOnlyReachableBlocksRemainAndVerifyIsClean();
        Assert.Equal(3, _temp.BlockKeys().Count);
        Assert.Equal(TestData.Bytes(2 * TempStore.SmallChunk, 2), await pin.ReadAllBytesAsync("/main"));
    }

    [Fact]
    public async Task What_a_subtree_clone_moved_and_its_snapshots_still_read_survives_gc()
    {
        var ws = await BaseWithTopAndSrc();
        var clone = Store.Clone("/base/src", "/c").Workspace;
        clone.Move("/lib", "/moved");
        var pinOfClone = clone.Snapshot();
        await clone.WriteAllBytesAsync("/moved/util", TestData.Bytes(10, 9));
        await ws.WriteAllBytesAsync("/top", TestData.Bytes(10, 8));
        var sub = Store.Clone("/c/moved", "/sub");

        Store.DeleteWorkspace("/base");
        foreach (var pin in Store.ListSnapshots().Where(p => p.Id != pinOfClone.Id)) Store.ReleaseSnapshot(pin.Id);
        Store.CollectGarbage(GcMode.Full);

        AssertOnlyReachableBlocksRemainAndVerifyIsClean();
        Assert.Equal(TestData.Bytes(TempStore.SmallChunk, 3), await pinOfClone.ReadAllBytesAsync("/moved/util"));
        Assert.Equal(TestData.Bytes(10, 9), await clone.ReadAllBytesAsync("/moved/util"));
        Assert.Equal(TestData.Bytes(10, 9), await sub.Workspace.ReadAllBytesAsync("/util"));
        Assert.Equal(TestData.Bytes(2 * TempStore.SmallChunk, 2), await clone.ReadAllBytesAsync("/main"));

        Store.ReleaseSnapshot(pinOfClone.Id);
        Store.DeleteWorkspace("/c");
        Store.CollectGarbage(GcMode.Full);
        AssertOnlyReachableBlocksRemainAndVerifyIsClean();
        Assert.Equal(TestData.Bytes(10, 9), await sub.Workspace.ReadAllBytesAsync("/util"));
    }
}
