using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>
/// Expiry against writers on other threads (generated schedules: how many writers, what each
/// writes, when the workspace expires): a writer's session either fails at open because the
/// workspace is gone (WorkspaceNotFoundException), or publishes: never opens and then finds its
/// workspace dropped under it. GC drops the workspace exactly once, and afterwards nothing of it
/// is left (no listing, no blocks once collected).
/// </summary>
public sealed class ExpiryVersusWritersProperties
{
    public sealed record Schedule(int Writers, int SessionsEach, int Kinds, int GcRuns)
    {
        public override string ToString() => $"writers={Writers} sessions={SessionsEach} kinds={Kinds} gcRuns={GcRuns}";
    }

    private static readonly Gen<Schedule> Schedules =
        from writers in Gen.Choose(1, 3)
        from sessions in Gen.Choose(1, 8)
        from kinds in Gen.Choose(0, 7)
        from gcRuns in Gen.Choose(1, 6)
        select new Schedule(writers, sessions, kinds, gcRuns);

    [Fact]
    public void A_session_that_opened_always_publishes_and_the_workspace_is_dropped_once()
    {
        Prop.ForAll(Schedules.ToArbitrary(), Run).Check(Config.QuickThrowOnFailure.WithMaxTest(12));
    }

    private static void Run(Schedule schedule)
    {
        var clock = new ManualClock();
        using var temp = new TempStore(clock: clock);
        var store = temp.Store;
        var ws = store.CreateWorkspace("/agent", new WorkspaceOptions { TimeToLive = TimeSpan.FromMinutes(5) });
        ws.WriteAllBytesAsync("/seed", TestData.Bytes(9000, 1)).GetAwaiter().GetResult();
        var inode = ws.Stat("/seed").Inode;
        clock.Advance(TimeSpan.FromMinutes(10)); // due from now on

        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var published = 0;
        using var start = new Barrier(schedule.Writers + 1);
        var writers = Enumerable.Range(0, schedule.Writers).Select(w => Task.Run(async () =>
        {
            start.SignalAndWait();
            for (var s = 0; s < schedule.SessionsEach; s++)
            {
                var kind = (schedule.Kinds + w + s) % 3;
                WorkspaceWriteStream? session = null;
                try
                {
                    session = kind switch
                    {
                        0 => ws.OpenWrite($"/w{w}-{s}"),
                        1 => await ws.OpenAppendAsync("/seed"),
                        _ => null,
                    };
                }
                catch (WorkspaceNotFoundException) { return; } // gone before the session opened: fine
                catch (PathNotFoundException) { return; }
                try
                {
                    if (session is null)
                    {
                        // By inode, as the mount writes: fails cleanly at open, or lands.
                        try { await store.Content.WriteAt(ws.Ref, inode, 100, TestData.Bytes(5000, s), CancellationToken.None); }
                        catch (WorkspaceNotFoundException) { return; }
                        catch (PathNotFoundException) { return; }
                        Interlocked.Increment(ref published);
                        continue;
                    }
                    await session.WriteAsync(TestData.Bytes(6000, s));
                    await Task.Yield();
                    await session.DisposeAsync();
                    Interlocked.Increment(ref published);
                }
                catch (Exception e)
                {
                    failures.Enqueue($"writer {w} session {s} (kind {kind}) opened, then failed: {e.GetType().Name}: {e.Message}");
                    return;
                }
            }
        })).ToArray();

        start.SignalAndWait();
        long expired = 0;
        for (var i = 0; i < schedule.GcRuns; i++) expired += store.CollectGarbage().ExpiredWorkspaces;
        Task.WaitAll(writers);
        // Once every writer let go, the next GC drops it if none did already.
        expired += store.CollectGarbage().ExpiredWorkspaces;

        Assert.Empty(failures);
        Assert.Equal(1, expired);
        Assert.False(store.WorkspaceExists("/agent"));
        Assert.Equal(0, store.CollectGarbage().ExpiryDeferred);
        store.CollectGarbage(GcMode.Full);
        Assert.Empty(temp.BlockFiles());
        Assert.Empty(store.Verify().Problems);
    }
}
