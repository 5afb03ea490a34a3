using Microsoft.Extensions.Logging;
using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// How a failed deferred batch commit reaches its callers: a flush the caller stopped waiting
/// for must not swallow the failure, and a logger that reacts to the failure by calling into
/// the store (flushing, say) must not hang the store.
/// </summary>
public sealed class LostBatchErrorReportingTests : IDisposable
{
    private readonly DeferredAttackHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_cancelled_flush_does_not_swallow_the_failure_of_the_batch_it_committed()
    {
        var directory = _harness.NewDirectory();
        var store = DeferredAttackHarness.OpenDeferred(directory, TimeSpan.FromMinutes(1), TempStore.ProductInline);
        var ws = store.CreateWorkspace("/w");
        store.Flush();
        await ws.WriteAllBytesAsync("/x", TestData.Bytes(10, 1));
        var fail = 1;
        store.Meta.CommitFaults = phase =>
        {
            if (phase == CommitPhase.BeforeCommit && Interlocked.Exchange(ref fail, 0) == 1) throw new IOException("the disk refused the commit");
        };

        // The caller gives up waiting (the flush itself still runs, as documented)...
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.FlushAsync(new CancellationToken(canceled: true)));
        SpinWait.SpinUntil(() => Volatile.Read(ref fail) == 0 && !store.Meta.HasUncommittedWrites, TimeSpan.FromSeconds(10));
        // ...then flushes again, to be sure: this flush must not report success while /x is lost.
        var second = Record.Exception(store.Flush);
        store.Dispose();
        using var reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, ChunkSize = TempStore.SmallChunk });
        var kept = DeferredAttackHarness.Files(reopened, "/w").ContainsKey("/x");
        Assert.True(second is not null || kept, "no caller ever saw the failed commit: the cancelled FlushAsync took it, the next Flush returned, and /x is gone");
    }

    [Fact]
    public async Task A_logger_that_flushes_when_a_commit_fails_does_not_hang_the_store()
    {
        var directory = _harness.NewDirectory();
        var logger = new StoreCallingLogger();
        var options = DeferredAttackHarness.Options(directory, TimeSpan.FromMinutes(1), TempStore.ProductInline);
        options.LoggerFactory = new OneLoggerFactory(logger);
        var store = WorkspaceStore.Open(options);
        logger.Store = store;
        var ws = store.CreateWorkspace("/w");
        store.Flush();
        await ws.WriteAllBytesAsync("/x", TestData.Bytes(10, 1));
        var fail = 1;
        store.Meta.CommitFaults = phase =>
        {
            if (phase == CommitPhase.BeforeCommit && Interlocked.Exchange(ref fail, 0) == 1) throw new IOException("the disk refused the commit");
        };

        var work = Task.Run(async () =>
        {
            try { await store.FlushAsync(); }
            catch (Exception e) when (DeferredAttackHarness.IsLostBatch(e)) { } // this flush may report the failure: fair
            // A store may refuse changes after a failed commit; it must answer, not hang.
            try
            {
                await ws.WriteAllBytesAsync("/y", TestData.Bytes(10, 2));
                await store.FlushAsync();
            }
            catch (NoKVException) { }
        });
        var finished = await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == work, $"the store hung: the logger was called {logger.Calls} time(s) and its flush {(logger.FlushReturned ? "returned" : "never returned")}");
        await work;
        store.Dispose();
    }

    [Fact]
    public async Task Disposing_does_not_return_quietly_when_its_final_commit_loses_the_batch()
    {
        var directory = _harness.NewDirectory();
        var store = DeferredAttackHarness.OpenDeferred(directory, TimeSpan.FromMinutes(1), TempStore.ProductInline);
        var ws = store.CreateWorkspace("/w");
        store.Flush();
        await ws.WriteAllBytesAsync("/x", TestData.Bytes(10, 1));
        store.Meta.CommitFaults = phase =>
        {
            if (phase == CommitPhase.BeforeCommit) throw new IOException("the disk refused the commit");
        };
        var disposing = Record.Exception(store.Dispose); // README: durable "at ... disposing the store"
        using var reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = directory, ChunkSize = TempStore.SmallChunk });
        var kept = DeferredAttackHarness.Files(reopened, "/w").ContainsKey("/x");
        Assert.True(disposing is not null || kept, "Dispose returned without an error, and /x, published before it, is gone");
    }

    /// <summary>Flushes the store when it logs an error, as a "make sure it's on disk" reaction might.</summary>
    private sealed class StoreCallingLogger : ILogger
    {
        public WorkspaceStore? Store { get; set; }
        public int Calls;
        public bool FlushReturned;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel < LogLevel.Error || Store is null) return;
            Interlocked.Increment(ref Calls);
            try { Store.Flush(); }
            catch (Exception e) when (e is not OutOfMemoryException) { }
            FlushReturned = true;
        }
    }

    private sealed class OneLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider) { }

        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose() { }
    }
}
