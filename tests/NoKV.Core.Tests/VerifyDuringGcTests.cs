using NoKV.Layers;

namespace NoKV.Tests;

/// <summary>
/// Verify (and any reader) runs against one metadata snapshot while GC commits and deletes
/// beside it: what it reports must be true of that snapshot, not an artefact of the overlap.
/// </summary>
public sealed class VerifyDuringGcTests
{
    [Fact]
    public async Task A_reader_that_started_before_a_layer_merge_resolves_through_the_chain_it_saw()
    {
        using var temp = new TempStore();
        var setup = temp.Store;
        await setup.CreateWorkspace("/base").Write("/f", "base's file");
        var cloned = setup.Clone("/base", "/fork");
        await cloned.Workspace.Write("/g", "fork's file");
        setup.DeleteWorkspace("/base");
        setup.ReleaseSnapshot(cloned.SnapshotId);
        var store = temp.Reopen(); // no chain cached yet
        var fork = store.OpenWorkspace("/fork");

        var resolved = store.Read(txn =>
        {
            // GC on another thread merges the base's frozen layer into the fork's head, and a
            // newer reader then caches the fork's shortened chain. This older snapshot still has
            // the base's records in the merged layer, so it must still walk through it.
            var report = Task.Run(() => store.CollectGarbage()).GetAwaiter().GetResult();
            Assert.True(report.LayersMerged > 0, "the scenario needs a merge");
            Assert.Equal("base's file", fork.ReadText("/f").GetAwaiter().GetResult());

            var view = WorkspaceStore.HeadView(txn, WorkspaceStore.GetWorkspace(txn, "/fork"));
            return NodeReader.Find(txn, view, "/f") is not null;
        });

        Assert.True(resolved, "the old snapshot lost /f through a chain cached after the merge");
        Assert.True(store.Verify().IsHealthy);
    }

    [Fact]
    public async Task Verify_does_not_report_a_block_that_gc_rightly_deleted_while_it_ran()
    {
        var hook = new ReadHook();
        using var temp = new TempStore(blocks: dir => new HookedBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks")), hook));
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * TempStore.SmallChunk, 1));
        await ws.WriteAllBytesAsync("/g", TestData.Bytes(2 * TempStore.SmallChunk, 2));

        // Verify has read its metadata snapshot and starts reading blocks: the file is
        // overwritten and GC deletes the old version's blocks before Verify reaches them.
        hook.OnFirstRead = async () =>
        {
            await ws.WriteAllBytesAsync("/f", TestData.Bytes(TempStore.SmallChunk, 3));
            await ws.WriteAllBytesAsync("/g", TestData.Bytes(TempStore.SmallChunk, 4));
            Assert.True(store.CollectGarbage().BlocksDeleted > 0, "the scenario needs GC to delete blocks");
        };
        var report = await store.VerifyAsync();

        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task Verify_still_reports_a_block_that_is_missing_and_still_referenced()
    {
        var hook = new ReadHook();
        using var temp = new TempStore(blocks: dir => new HookedBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks")), hook));
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * TempStore.SmallChunk, 1));
        File.Delete(temp.BlockFiles()[0]);

        var report = await store.VerifyAsync();

        Assert.Contains(report.Problems, p => p.Kind == StoreProblemKind.BlockMissing);
    }

    private sealed class ReadHook
    {
        public Func<Task>? OnFirstRead;

        public Task Run() => Interlocked.Exchange(ref OnFirstRead, null)?.Invoke() ?? Task.CompletedTask;
    }

    private sealed class HookedBlockStore(IBlockStore inner, ReadHook hook) : DecoratedBlockStore(inner)
    {
        public override async ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            await hook.Run();
            return await Inner.ReadAsync(key, offset, destination, cancellationToken);
        }
    }
}
