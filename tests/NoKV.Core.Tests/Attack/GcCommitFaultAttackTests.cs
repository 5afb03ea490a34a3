using NoKV.Lmdb;
using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// Attack: every metadata commit GC makes fails in turn (before it lands, or after), over a store
/// with nested subtree clones, snapshots, appends and truncates whose views were dropped in
/// several orders. After a clean GC (and a reopen) every live view must read exactly what it
/// read before, Verify must be clean, and the block store must hold exactly the reachable blocks.
/// </summary>
public sealed class GcCommitFaultAttackTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Every_gc_commit_failing_in_turn_loses_nothing_and_leaks_nothing(int dropOrder)
    {
        var sweeps = 0;
        foreach (var afterWork in new[] { false, true })
        {
            for (var failAt = 0; failAt < 500; failAt++)
            {
                using var temp = new TempStore();
                var expected = await BuildAndDrop(temp.Store, dropOrder);
                var fired = false;
                var commits = 0;
                temp.Store.Meta.CommitFaults = phase =>
                {
                    if (phase == (afterWork ? CommitPhase.AfterCommit : CommitPhase.BeforeCommit) && commits++ == failAt)
                    {
                        fired = true;
                        throw new IOException($"injected commit fault #{failAt}");
                    }
                };
                var thrown = await Record.ExceptionAsync(() => temp.Store.CollectGarbageAsync(GcMode.Full));
                temp.Store.Meta.CommitFaults = null;
                if (!fired)
                {
                    Assert.Null(thrown);
                    break;
                }
                sweeps++;

                await Check(temp.Store, expected, $"order {dropOrder}, commit {failAt} {(afterWork ? "after" : "before")}: before the clean GC");
                await temp.Store.CollectGarbageAsync(GcMode.Full);
                await Check(temp.Store, expected, $"order {dropOrder}, commit {failAt} {(afterWork ? "after" : "before")}");
                var reopened = temp.Reopen();
                await reopened.CollectGarbageAsync(GcMode.Full);
                await Check(reopened, expected, $"order {dropOrder}, commit {failAt} {(afterWork ? "after" : "before")}, reopened");
                Assert.Equal(ReachableBlocks.Of(reopened), temp.BlockKeys());
            }
        }
        Assert.True(sweeps > 5, "GC made too few commits to test anything");
    }

    private static async Task Check(WorkspaceStore store, Dictionary<string, SortedDictionary<string, string>> expected, string what)
    {
        Assert.Equal(expected, await Views(store));
        var verify = await store.VerifyAsync();
        Assert.True(verify.IsHealthy, what + ": " + string.Join("; ", verify.Problems));
    }

    internal static async Task<Dictionary<string, SortedDictionary<string, string>>> Views(WorkspaceStore store)
    {
        var views = new Dictionary<string, SortedDictionary<string, string>>();
        foreach (var ws in store.ListWorkspaces()) views[ws.Path] = await store.OpenWorkspace(ws.Path).Tree();
        foreach (var pin in store.ListSnapshots()) views["@" + pin.Id] = await pin.Tree();
        return views;
    }

    /// <summary>Builds nested subtree clones and snapshots, drops some views in one of several orders; returns what the rest show.</summary>
    internal static async Task<Dictionary<string, SortedDictionary<string, string>>> BuildAndDrop(WorkspaceStore store, int order)
    {
        var c = TempStore.SmallChunk;
        var baseWs = store.CreateWorkspace("/base");
        baseWs.CreateDirectory("/a/inner");
        baseWs.CreateDirectory("/b");
        await baseWs.WriteAllBytesAsync("/a/x", TestData.Bytes(3 * c, 1));
        await baseWs.WriteAllBytesAsync("/a/y", TestData.Bytes(c + 5, 2));
        await baseWs.WriteAllBytesAsync("/a/inner/q", TestData.Bytes(2 * c + 1, 3));
        await baseWs.WriteAllBytesAsync("/b/z", TestData.Bytes(c, 4));
        await baseWs.WriteAllBytesAsync("/c", TestData.Bytes(2 * c + 9, 5));
        var s1 = baseWs.Snapshot();
        var sub = store.Clone("/base/a", "/sub");
        await baseWs.WriteAllBytesAsync("/a/x", TestData.Bytes(c, 6));
        baseWs.Delete("/b", recursive: true);
        var sub2 = store.Clone("/sub/inner", "/sub2");
        await sub.Workspace.WriteAllBytesAsync("/x", TestData.Bytes(2 * c, 7));
        await sub2.Workspace.WriteAllBytesAsync("/q", TestData.Bytes(c + 3, 8));
        await using (var append = await baseWs.OpenAppendAsync("/c")) await append.WriteAsync(TestData.Bytes(c, 9));
        await sub.Workspace.TruncateAsync("/y", 10);
        var fork = store.Clone("/base", "/fork");
        await fork.Workspace.WriteAllBytesAsync("/c", TestData.Bytes(c, 10));
        sub.Workspace.Move("/inner", "/moved");
        var s3 = store.Snapshot("/sub/moved");
        var sub3 = store.Clone(s3, "/sub3");
        await sub3.Workspace.WriteAllBytesAsync("/new", TestData.Bytes(c, 11));
        sub.Workspace.Rollback(store.GetSnapshot(sub.SnapshotId));

        Action[] drops =
        [
            () => store.DeleteWorkspace("/base"),
            () => store.ReleaseSnapshot(s1.Id),
            () => store.ReleaseSnapshot(sub.SnapshotId),
            () => store.ReleaseSnapshot(sub2.SnapshotId),
            () => store.DeleteWorkspace("/fork"),
            () => store.ReleaseSnapshot(fork.SnapshotId),
            () => store.DeleteWorkspace("/sub"),
        ];
        var rng = new Random(order);
        foreach (var drop in drops.OrderBy(_ => rng.Next()).Take(drops.Length - order % 3)) drop();
        return await Views(store);
    }
}
