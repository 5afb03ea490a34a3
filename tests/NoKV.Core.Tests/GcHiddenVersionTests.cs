using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// A version that every branch has hidden must be reclaimed once the last view that still saw it
/// goes away, whatever order the pins, heads and merges go in (issue 12, bug 4).
/// </summary>
public sealed class GcHiddenVersionTests : IDisposable
{
    private readonly TempStore _temp = new();
    private WorkspaceStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    private void AssertOnlyReachableBlocksRemainAndVerifyIsClean()
    {
        Store.CollectGarbage(GcMode.Full);
        Assert.Equal(ReachableBlocks.Of(Store), _temp.BlockKeys());
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task A_version_hidden_by_every_branch_is_reclaimed_when_the_last_pin_that_saw_it_goes()
    {
        var baseWs = Store.CreateWorkspace("/base");
        await baseWs.WriteAllBytesAsync("/f", TestData.Bytes(5 * TempStore.SmallChunk, 1)); // v1: 5 blocks
        var fork = Store.Clone("/base", "/fork");
        await fork.Workspace.WriteAllBytesAsync("/f", TestData.Bytes(3 * TempStore.SmallChunk, 2));
        await baseWs.WriteAllBytesAsync("/g", TestData.Bytes(2 * TempStore.SmallChunk, 3));
        var s = baseWs.Snapshot();
        await baseWs.WriteAllBytesAsync("/f", TestData.Bytes(4 * TempStore.SmallChunk, 4));

        Store.ReleaseSnapshot(fork.SnapshotId);
        Store.CollectGarbage(); // s still sees v1: it must stay
        Assert.Equal(TestData.Bytes(5 * TempStore.SmallChunk, 1), await s.ReadAllBytesAsync("/f"));
        Store.ReleaseSnapshot(s.Id);

        AssertOnlyReachableBlocksRemainAndVerifyIsClean();
        Assert.Equal(3 + 2 + 4, _temp.BlockKeys().Count);
        Assert.Equal(TestData.Bytes(3 * TempStore.SmallChunk, 2), await fork.Workspace.ReadAllBytesAsync("/f"));
        Assert.Equal(TestData.Bytes(4 * TempStore.SmallChunk, 4), await baseWs.ReadAllBytesAsync("/f"));
    }

    [Fact]
    public async Task A_version_a_subtree_rollback_hid_is_reclaimed_when_the_pin_goes()
    {
        var ws = Store.CreateWorkspace("/w");
        ws.CreateDirectory("/d");
        await ws.WriteAllBytesAsync("/d/f", TestData.Bytes(3 * TempStore.SmallChunk, 1)); // v1
        var early = Store.Snapshot("/w/d");
        await ws.WriteAllBytesAsync("/d/f", TestData.Bytes(2 * TempStore.SmallChunk, 2)); // v2
        var fork = Store.Clone("/w", "/fork");
        await fork.Workspace.WriteAllBytesAsync("/d/f", TestData.Bytes(TempStore.SmallChunk, 3));
        await ws.Write("/g", "g"); // so the next snapshot freezes a layer of its own
        var late = ws.Snapshot();
        Store.Rollback("/w/d", early.Id); // the head shows v1 again, hiding v2

        Store.ReleaseSnapshot(fork.SnapshotId);
        Store.CollectGarbage(); // late still sees v2
        Store.ReleaseSnapshot(late.Id);
        Store.ReleaseSnapshot(early.Id);

        AssertOnlyReachableBlocksRemainAndVerifyIsClean();
        Assert.Equal(TestData.Bytes(3 * TempStore.SmallChunk, 1), await ws.ReadAllBytesAsync("/d/f"));
        Assert.Equal(TestData.Bytes(TempStore.SmallChunk, 3), await fork.Workspace.ReadAllBytesAsync("/d/f"));
    }

    [Fact]
    public async Task Hidden_versions_are_reclaimed_whichever_order_their_pins_and_heads_go_in()
    {
        // Three branches each hide v1; their pins and heads then go in every order.
        int[][] orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        foreach (var order in orders)
        {
            using var temp = new TempStore();
            var store = temp.Store;
            var ws = store.CreateWorkspace("/base");
            await ws.WriteAllBytesAsync("/f", TestData.Bytes(2 * TempStore.SmallChunk, 1));
            var a = store.Clone("/base", "/a");
            await a.Workspace.Write("/x", "x"); // each pin below freezes a layer of its own
            var pinOfA = a.Workspace.Snapshot();
            await a.Workspace.Write("/f", "a");
            await ws.Write("/g", "1");
            var b = store.Clone("/base", "/b");
            await b.Workspace.Write("/f", "b");
            await ws.Write("/g", "2");
            var s = ws.Snapshot();
            await ws.Write("/f", "base");
            Action[] steps = [() => store.ReleaseSnapshot(a.SnapshotId), () => store.ReleaseSnapshot(pinOfA.Id), () => store.ReleaseSnapshot(s.Id)];
            foreach (var step in order)
            {
                steps[step]();
                store.CollectGarbage();
            }
            store.ReleaseSnapshot(b.SnapshotId);
            store.CollectGarbage(GcMode.Full);

            Assert.Equal(ReachableBlocks.Of(store), temp.BlockKeys());
            Assert.Equal(6, temp.BlockKeys().Count); // a: /x, /f; b: /f, /g; base: /f, /g
            var report = store.Verify();
            Assert.True(report.IsHealthy, $"order {string.Join(",", order)}: " + string.Join("; ", report.Problems));
        }
    }
}
