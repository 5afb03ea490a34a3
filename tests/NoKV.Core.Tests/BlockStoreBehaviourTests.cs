using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>
/// Workspace behaviour that depends on the block store, run once per backend (local disk and
/// S3): the same assertions, so both stores keep the same promises.
/// </summary>
public abstract class BlockStoreBehaviourTests
{
    private const int Chunk = TempStore.SmallChunk;

    /// <summary>A fresh store on this backend (skips the test when the backend is absent).</summary>
    protected abstract TempStore NewStore();

    /// <summary>Skips the test when the backend is absent (outside CI).</summary>
    protected virtual void RequireBackend()
    {
    }

    private static void AssertHealthy(WorkspaceStore store)
    {
        var report = store.Verify();
        Assert.True(report.IsHealthy, string.Join(Environment.NewLine, report.Problems));
    }

    [SkippableFact]
    public async Task Multi_chunk_files_round_trip_seek_and_survive_a_reopen()
    {
        using var temp = NewStore();
        var ws = temp.Store.CreateWorkspace("/base");
        var data = TestData.Bytes(20 * Chunk + 5, 1); // more chunks than parallel uploads
        await ws.WriteAllBytesAsync("/big", data);
        Assert.Equal(21, temp.BlockKeys().Count);

        await using (var r = ws.OpenRead("/big"))
        {
            r.Position = 7 * Chunk - 3;
            var buffer = new byte[10];
            await r.ReadExactlyAsync(buffer);
            Assert.Equal(data.AsSpan(7 * Chunk - 3, 10).ToArray(), buffer);
        }
        Assert.Equal(data, await temp.Reopen().OpenWorkspace("/base").ReadAllBytesAsync("/big"));
        AssertHealthy(temp.Store);
    }

    [SkippableFact]
    public async Task Clones_share_blocks_and_writes_mint_new_ones()
    {
        using var temp = NewStore();
        var ws = temp.Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/w", TestData.Bytes(3 * Chunk, 2));
        var shared = temp.BlockKeys();
        var fork = temp.Store.Clone("/base", "/forks/a");
        Assert.Equal(shared, temp.BlockKeys());

        await fork.Workspace.WriteAllBytesAsync("/w", TestData.Bytes(Chunk, 3));
        var forkId = temp.Store.ListWorkspaces().Single(w => w.Path == "/forks/a").Id;
        var added = temp.BlockKeys().Except(shared).ToList();
        Assert.Equal([$"{forkId}/"], added.Select(k => k[..(k.IndexOf('/') + 1)]).Distinct());
        Assert.Equal(TestData.Bytes(3 * Chunk, 2), await ws.ReadAllBytesAsync("/w"));
    }

    [SkippableFact]
    public async Task Rollback_then_gc_reclaims_the_discarded_blocks_and_keeps_the_restored()
    {
        using var temp = NewStore();
        var ws = temp.Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/keep", TestData.Bytes(2 * Chunk, 4));
        var pin = ws.Snapshot();
        await ws.WriteAllBytesAsync("/drop", TestData.Bytes(3 * Chunk, 5));
        ws.Rollback(pin);

        Assert.Equal(3, temp.Store.CollectGarbage().BlocksDeleted);
        Assert.Equal(TestData.Bytes(2 * Chunk, 4), await ws.ReadAllBytesAsync("/keep"));
        AssertHealthy(temp.Store);
    }

    [SkippableFact]
    public async Task Append_and_truncate_share_blocks_and_nothing_leaks()
    {
        using var temp = NewStore();
        var ws = temp.Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * Chunk + 10, 6));
        await using (var s = await ws.OpenAppendAsync("/f")) await s.WriteAsync(TestData.Bytes(Chunk, 7));
        await ws.TruncateAsync("/f", Chunk + 1);
        byte[] expected = [.. TestData.Bytes(3 * Chunk + 10, 6)[..(Chunk + 1)]];
        Assert.Equal(expected, await ws.ReadAllBytesAsync("/f"));
        temp.Store.CollectGarbage();
        Assert.Equal(expected, await ws.ReadAllBytesAsync("/f"));
        AssertHealthy(temp.Store);

        temp.Store.DeleteWorkspace("/base");
        temp.Store.CollectGarbage();
        Assert.Empty(temp.BlockKeys());
    }

    [SkippableFact]
    public async Task Dropping_everything_then_gc_leaves_the_block_store_empty()
    {
        using var temp = NewStore();
        var ws = temp.Store.CreateWorkspace("/base");
        for (var i = 0; i < 5; i++) await ws.WriteAllBytesAsync($"/f{i}", TestData.Bytes(i * Chunk + 1, i));
        var fork = temp.Store.Clone("/base", "/forks/a");
        await fork.Workspace.WriteAllBytesAsync("/f1", TestData.Bytes(10, 9));
        temp.Store.DeleteWorkspace("/base");
        temp.Store.DeleteWorkspace("/forks/a");
        temp.Store.ReleaseSnapshot(fork.SnapshotId);
        temp.Store.CollectGarbage();
        Assert.Empty(temp.BlockKeys());
    }

    [SkippableFact]
    public async Task Corrupted_and_missing_blocks_are_caught_on_read_and_by_verify()
    {
        using var temp = NewStore();
        var ws = temp.Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/a", TestData.Bytes(100, 1));
        await ws.WriteAllBytesAsync("/b", TestData.Bytes(100, 2));
        var keys = temp.BlockKeys();
        var aKey = KeyOf(temp, "/a");
        var bKey = keys.Single(k => k != aKey);

        var corrupted = TestData.Bytes(100, 1);
        corrupted[3] ^= 0x40;
        await temp.Store.Blocks.PutAsync(aKey, corrupted);
        await temp.Store.Blocks.DeleteAsync(bKey);

        await Assert.ThrowsAsync<BlockCorruptedException>(() => ws.ReadAllBytesAsync("/a"));
        await Assert.ThrowsAsync<BlockMissingException>(() => ws.ReadAllBytesAsync("/b"));
        Assert.Equal([StoreProblemKind.BlockMissing, StoreProblemKind.BlockCorrupted], temp.Store.Verify().Problems.Select(p => p.Kind).Order());
    }

    [SkippableFact]
    public async Task Blocks_of_a_write_that_never_published_are_reclaimed_after_a_crash()
    {
        using var temp = NewStore();
        var ws = temp.Store.CreateWorkspace("/base");
        var unfinished = ws.OpenWrite("/never");
        await unfinished.WriteAsync(TestData.Bytes(3 * Chunk, 1));
        await unfinished.FlushAsync();
        Assert.Equal(3, temp.BlockKeys().Count);

        var store = temp.Reopen(); // the stream is never disposed, as if the process died
        Assert.Equal(3, store.CollectGarbage().OrphansDeleted);
        Assert.Empty(temp.BlockKeys());
        AssertHealthy(store);
    }

    [SkippableFact]
    public void Random_operation_sequences_match_the_reference_model()
    {
        RequireBackend(); // not inside the property: FsCheck would report the skip as a failure
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_BACKEND_PROPERTY_COUNT"), out var c) ? c : 25;
        var config = Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true);
        Prop.ForAll(Model.ModelGen.Scenarios(25), ops =>
        {
            using var runner = new Model.ModelRunner(NewStore());
            runner.Run(ops);
        }).Check(config);
    }

    private static string KeyOf(TempStore temp, string path) => temp.Store.Read(txn =>
    {
        var view = WorkspaceStore.HeadView(txn, WorkspaceStore.GetWorkspace(txn, "/base"));
        var (_, record) = Layers.NodeReader.Resolve(txn, view, [path[1..]], path);
        return Layers.GenerationTable.Chunks(txn, record.Generation, 1)[0].BlockKey;
    });
}

public sealed class LocalBlockStoreBehaviourTests : BlockStoreBehaviourTests
{
    protected override TempStore NewStore() => new();
}

public sealed class S3BlockStoreBehaviourTests : BlockStoreBehaviourTests
{
    protected override void RequireBackend() => Skip.If(S3Server.SkipReason is not null, S3Server.SkipReason);

    protected override TempStore NewStore()
    {
        RequireBackend();
        return new TempStore(blocks: _ => S3Server.NewStore());
    }
}
