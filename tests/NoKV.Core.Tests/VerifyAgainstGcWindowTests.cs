namespace NoKV.Tests;

/// <summary>
/// GC deletes a dead generation's blocks first and its records second. A Verify that checked a
/// block in that window, with its metadata snapshot taken while a generation still used the
/// block, once reported it missing because the block-reference entry was still there: a false
/// alarm CI saw under load ("BlockMissing: Block '1/1171/1172/0' is missing"). Here the window is
/// held open on purpose: Verify is paused just before it checks the borrowed block, the file is
/// overwritten, and GC is paused right after deleting that block, before its commit.
/// </summary>
public sealed class VerifyAgainstGcWindowTests
{
    /// <summary>Pauses the first read of one key (Verify's check) and the delete of it (GC's), each until released.</summary>
    private sealed class PausingBlockStore(IBlockStore inner) : DecoratedBlockStore(inner)
    {
        public string? Key;
        public readonly TaskCompletionSource VerifyReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource BlockDeleted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource VerifyDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (key == Key && !VerifyReached.Task.IsCompleted)
            {
                VerifyReached.SetResult();
                await BlockDeleted.Task;
            }
            return await Inner.ReadAsync(key, offset, destination, cancellationToken);
        }

        public override async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            var deleted = await Inner.DeleteAsync(key, cancellationToken);
            if (key == Key)
            {
                BlockDeleted.TrySetResult();
                await VerifyDone.Task; // GC commits only after Verify finished
            }
            return deleted;
        }
    }

    [Fact]
    public async Task A_block_gc_is_deleting_is_not_reported_missing_by_a_verify_that_saw_it_in_use()
    {
        var blocks = new PausingBlockStore(new LocalBlockStore(Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"))));
        using var temp = new TempStore(blocks: _ => blocks);
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(TempStore.SmallChunk + 100, 1));     // generation A: chunks 0 and 1
        blocks.Key = temp.BlockKeys().Single(k => k.EndsWith("/0", StringComparison.Ordinal)); // A's chunk 0
        await using (var append = await ws.OpenAppendAsync("/f")) await append.WriteAsync(TestData.Bytes(10, 2)); // B borrows A's chunk 0
        store.CollectGarbage(); // A is dead; its chunk 0 lives on for B

        // Verify's metadata snapshot sees B alive; it pauses before reading B's borrowed chunk.
        var verify = Task.Run(() => store.VerifyAsync());
        await blocks.VerifyReached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // B dies; GC deletes the borrowed block and pauses before committing the records.
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(50, 3));
        var gc = Task.Run(() => store.CollectGarbageAsync());
        await blocks.BlockDeleted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var report = await verify.WaitAsync(TimeSpan.FromSeconds(30));
        blocks.VerifyDone.SetResult();
        await gc.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(report.IsHealthy, string.Join("; ", report.Problems.Select(p => $"{p.Kind}: {p.Description}")));
        Assert.True(store.Verify().IsHealthy);
        Assert.Equal(TestData.Bytes(50, 3), await ws.ReadAllBytesAsync("/f"));
    }
}
