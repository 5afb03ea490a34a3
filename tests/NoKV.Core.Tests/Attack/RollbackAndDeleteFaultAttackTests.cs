using NoKV.Lmdb;
using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// Attack: a rollback (whole workspace or subtree) whose commit fails before or after landing,
/// then the pins released and GC; and GC whose block deletes fail, run again until clean.
/// </summary>
public sealed class RollbackAndDeleteFaultAttackTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task A_rollback_whose_commit_fails_leaves_old_or_new_state_and_gc_then_leaks_nothing(bool subtree, bool afterCommit)
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        ws.CreateDirectory("/d");
        await ws.WriteAllBytesAsync("/d/a", TestData.Bytes(3 * TempStore.SmallChunk, 1));
        await ws.WriteAllBytesAsync("/top", TestData.Bytes(TempStore.SmallChunk + 1, 2));
        var pin = subtree ? store.Snapshot("/w/d") : ws.Snapshot();
        await ws.WriteAllBytesAsync("/d/a", TestData.Bytes(2 * TempStore.SmallChunk, 3));
        await ws.WriteAllBytesAsync("/d/b", TestData.Bytes(2 * TempStore.SmallChunk, 4));
        await ws.WriteAllBytesAsync("/top", TestData.Bytes(5, 5));
        var changed = await GcCommitFaultAttackTests.Views(store);

        store.Meta.CommitFaults = phase =>
        {
            if (phase == (afterCommit ? CommitPhase.AfterCommit : CommitPhase.BeforeCommit)) throw new IOException("injected");
        };
        var thrown = Record.Exception(() =>
        {
            if (subtree) store.Rollback("/w/d", pin.Id); else ws.Rollback(pin);
        });
        store.Meta.CommitFaults = null;
        Assert.NotNull(thrown);

        var now = await GcCommitFaultAttackTests.Views(store);
        if (afterCommit)
        {
            // The commit landed: the target shows the snapshot again.
            if (subtree)
            {
                var probe = store.Clone("/w/d", "/probe");
                Assert.Equal(await pin.Tree(), await probe.Workspace.Tree());
                store.DeleteWorkspace("/probe");
            }
            else
            {
                Assert.Equal(await pin.Tree(), await ws.Tree());
            }
        }
        else
        {
            Assert.Equal(changed, now);
        }
        Assert.True(store.Verify().IsHealthy);
        store.ReleaseSnapshot(pin.Id);
        foreach (var p in store.ListSnapshots()) store.ReleaseSnapshot(p.Id);
        await store.CollectGarbageAsync(GcMode.Full);
        Assert.Equal(ReachableBlocks.Of(store), temp.BlockKeys());
        Assert.True(store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Gc_whose_deletes_fail_then_succeed_ends_with_exactly_the_reachable_blocks()
    {
        using var temp = new TempStore(blocks: dir => new FaultyBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks")), k => new IOException("delete refused " + k)));
        var faulty = (FaultyBlockStore)temp.BlockStore!;
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        ws.CreateDirectory("/d");
        for (var i = 0; i < 5; i++) await ws.WriteAllBytesAsync($"/d/f{i}", TestData.Bytes(2 * TempStore.SmallChunk + i, i));
        var sub = store.Clone("/w/d", "/sub");
        await using (var a = await sub.Workspace.OpenAppendAsync("/f1")) await a.WriteAsync(TestData.Bytes(TempStore.SmallChunk, 50));
        for (var i = 0; i < 5; i++) await ws.WriteAllBytesAsync($"/d/f{i}", TestData.Bytes(10, 100 + i));
        store.ReleaseSnapshot(sub.SnapshotId);
        var expected = await GcCommitFaultAttackTests.Views(store);

        faulty.FailDeletes = true;
        var failed = await Record.ExceptionAsync(() => store.CollectGarbageAsync(GcMode.Full));
        Assert.NotNull(failed);
        Assert.Equal(expected, await GcCommitFaultAttackTests.Views(store));
        faulty.FailDeletes = false;
        await store.CollectGarbageAsync(GcMode.Full);

        Assert.Equal(expected, await GcCommitFaultAttackTests.Views(store));
        Assert.Equal(ReachableBlocks.Of(store), temp.BlockKeys());
        Assert.True(store.Verify().IsHealthy);
    }
}
