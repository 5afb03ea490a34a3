namespace NoKV.Tests;

/// <summary>
/// Attack: Verify reads blocks live after taking its metadata snapshot; GC deletes a dead
/// generation's blocks first and removes its metadata in a later commit. In that window the
/// generation record still exists (reference count zero, queued for GC).
/// </summary>
public sealed class VerifyMidGcAttackTests
{
    /// <summary>
    /// Verify takes its metadata snapshot while /f's old version is live; /f is then overwritten
    /// and GC deletes the old version's first block, pausing before its metadata commit. Verify
    /// then finds that block missing and asks StillReferenced, which only checks that the minting
    /// generation record exists — it does (refcount 0, queued), so Verify reports BlockMissing for
    /// a version nothing can read any more. The cause is WorkspaceStore.Verify.cs StillReferenced:
    /// it should treat a generation with reference count zero (queued for GC) as unreferenced.
    /// Failed with: "BlockMissing: Block '1/2/3/0' is missing."
    /// </summary>
    [Fact]
    public async Task Verify_does_not_report_a_block_gc_deleted_before_its_metadata_commit()
    {
        var hooks = new Hooks();
        using var temp = new TempStore(blocks: dir => new PausingBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks")), hooks));
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * TempStore.SmallChunk, 1));

        var deleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var verifyDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<GcReport>? gc = null;
        hooks.OnFirstRead = async () =>
        {
            await ws.WriteAllBytesAsync("/f", TestData.Bytes(TempStore.SmallChunk, 2));
            hooks.OnFirstDelete = async () =>
            {
                deleted.TrySetResult();
                await Task.WhenAny(verifyDone.Task, Task.Delay(TimeSpan.FromSeconds(20)));
            };
            gc = Task.Run(() => store.CollectGarbageAsync());
            await deleted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        };

        VerifyReport report;
        try
        {
            report = await store.VerifyAsync();
        }
        finally
        {
            verifyDone.TrySetResult();
        }
        await gc!;

        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
        Assert.True(store.Verify().IsHealthy);
    }

    private sealed class Hooks
    {
        public Func<Task>? OnFirstRead;
        public Func<Task>? OnFirstDelete;

        public Task Read() => Interlocked.Exchange(ref OnFirstRead, null)?.Invoke() ?? Task.CompletedTask;

        public Task Delete() => Interlocked.Exchange(ref OnFirstDelete, null)?.Invoke() ?? Task.CompletedTask;
    }

    private sealed class PausingBlockStore(IBlockStore inner, Hooks hooks) : DecoratedBlockStore(inner)
    {
        public override async ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            await hooks.Read();
            return await Inner.ReadAsync(key, offset, destination, cancellationToken);
        }

        public override async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            var result = await Inner.DeleteAsync(key, cancellationToken);
            await hooks.Delete();
            return result;
        }
    }
}
