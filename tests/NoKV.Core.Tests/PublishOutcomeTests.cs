using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// A publish whose metadata commit reports failure: the write session decides what to clean up
/// from the metadata, not from the exception. A commit that landed published the blocks, so they
/// must stay; one that did not land leaves blocks nobody will ever publish.
/// </summary>
public sealed class PublishOutcomeTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_publish_that_failed_after_its_commit_landed_keeps_its_blocks()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * TempStore.SmallChunk, 1));
        var data = TestData.Bytes(3 * TempStore.SmallChunk + 5, 2);

        var stream = ws.OpenWrite("/f");
        await stream.WriteAsync(data);
        _temp.Store.Meta.CommitFaults = OnceAt(CommitPhase.AfterCommit, "fsync reported an error after the commit landed");
        var e = await Record.ExceptionAsync(async () => await stream.DisposeAsync());
        _temp.Store.Meta.CommitFaults = null;

        Assert.NotNull(e); // the caller is told the commit reported an error
        Assert.Equal(data, await ws.ReadAllBytesAsync("/f")); // ... but it landed, and its blocks are there
        var report = _temp.Store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
        await _temp.Store.CollectGarbageAsync(GcMode.Full);
        Assert.Equal(data, await ws.ReadAllBytesAsync("/f"));
    }

    [Fact]
    public async Task A_publish_that_failed_before_its_commit_deletes_its_blocks_and_keeps_the_old_version()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        var old = TestData.Bytes(3 * TempStore.SmallChunk, 1);
        await ws.WriteAllBytesAsync("/f", old);
        var blocksBefore = _temp.BlockKeys();

        var stream = ws.OpenWrite("/f");
        await stream.WriteAsync(TestData.Bytes(3 * TempStore.SmallChunk + 5, 2));
        _temp.Store.Meta.CommitFaults = OnceAt(CommitPhase.BeforeCommit, "the commit failed");
        var e = await Record.ExceptionAsync(async () => await stream.DisposeAsync());
        _temp.Store.Meta.CommitFaults = null;

        Assert.NotNull(e);
        Assert.Equal(old, await ws.ReadAllBytesAsync("/f"));
        Assert.Equal(blocksBefore, _temp.BlockKeys());
        Assert.True(_temp.Store.Verify().IsHealthy);
    }

    /// <summary>A commit fault that throws once, at one phase, for the next commit that reaches it.</summary>
    private static Action<CommitPhase> OnceAt(CommitPhase phase, string message)
    {
        var fired = 0;
        return p =>
        {
            if (p == phase && Interlocked.Exchange(ref fired, 1) == 0) throw new IOException(message);
        };
    }
}
