using FsCheck;
using FsCheck.Fluent;
using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// Generated schedules of file operations on a deferred store in which some batch commits fail
/// (their writes are lost) and GC runs in between: whatever was lost, the store stays healthy
/// (Verify) and every file it shows reads back whole, live and after reopening.
/// </summary>
public sealed class LostBatchFaultScheduleProperties : IDisposable
{
    private readonly DeferredAttackHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private readonly record struct Step(int Kind, int File, int Size);

    [Fact]
    public void Lost_batches_never_leave_the_store_unhealthy_or_a_file_unreadable()
    {
        var steps = Gen.Choose(0, 11).SelectMany(kind => Gen.Choose(0, 2).SelectMany(file => Gen.Choose(1, 3 * TempStore.SmallChunk).Select(size => new Step(kind, file, size))))
            .ArrayOf().Select(s => s.Take(25).ToArray());
        Prop.ForAll(steps.ToArbitrary(), Run).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    private void Run(Step[] schedule)
    {
        var directory = _harness.NewDirectory();
        var store = DeferredAttackHarness.OpenDeferred(directory, TimeSpan.FromMinutes(1));
        var log = new List<string>();
        try
        {
            var ws = store.CreateWorkspace("/w");
            store.Flush();
            var failNext = 0;
            Action<CommitPhase> faults = phase =>
            {
                if (phase == CommitPhase.BeforeCommit && Interlocked.Exchange(ref failNext, 0) == 1) throw new IOException("the disk refused the commit");
            };
            store.Meta.CommitFaults = faults;
            var open = new List<Stream>(); // edit sessions opened now, finished later (possibly across a lost batch)
            for (var i = 0; i < schedule.Length; i++)
            {
                var (kind, file, size) = schedule[i];
                var path = $"/f{file}";
                log.Add($"{i}:{kind}/{file}/{size}");
                try
                {
                    switch (kind)
                    {
                        case 0 or 1:
                            ws.WriteAllBytesAsync(path, TestData.Bytes(size, i)).GetAwaiter().GetResult();
                            break;
                        case 2 when ws.Exists(path):
                            open.Add(ws.OpenAppendAsync(path).GetAwaiter().GetResult());
                            break;
                        case 3 when open.Count > 0:
                        {
                            var stream = open[size % open.Count];
                            open.Remove(stream);
                            stream.Write(TestData.Bytes(size % 100 + 1, i));
                            stream.Dispose();
                            break;
                        }
                        case 4 when ws.Exists(path):
                            ws.TruncateAsync(path, size % (ws.Stat(path).Length + 1)).GetAwaiter().GetResult();
                            break;
                        case 5 when ws.Exists(path):
                            store.Content.WriteAt(ws.Ref, ws.Stat(path).Inode, size % (ws.Stat(path).Length + 1), TestData.Bytes(size % 500 + 1, i), CancellationToken.None).GetAwaiter().GetResult();
                            break;
                        case 6 when ws.Exists(path):
                            ws.Delete(path);
                            break;
                        case 7 or 8:
                            Volatile.Write(ref failNext, 1);
                            store.Flush();
                            break;
                        case 9:
                            store.Flush();
                            break;
                        case 10:
                            store.CollectGarbage(GcMode.Incremental);
                            break;
                        case 11:
                            store.CollectGarbage(GcMode.Full);
                            break;
                    }
                }
                catch (Exception e) when (DeferredAttackHarness.IsLostBatch(e))
                {
                    // A lost batch reported to this caller: fair. A store may refuse every change
                    // after one: then it is reopened (what a caller must do) and the schedule goes on.
                    if (IsRefusing(store))
                    {
                        foreach (var stream in open) AbandonQuietly(stream);
                        open.Clear();
                        store.Dispose();
                        store = DeferredAttackHarness.OpenDeferred(directory, TimeSpan.FromMinutes(1));
                        store.Meta.CommitFaults = faults;
                        ws = store.OpenWorkspace("/w");
                    }
                }
                catch (WriteFailedException) { } // a session whose publish failed: fair
                catch (PathNotFoundException) { } // its file was lost with a batch: fair
            }
            foreach (var stream in open) AbandonQuietly(stream);
            Volatile.Write(ref failNext, 0);
            var refusing = false;
            try { store.Flush(); }
            catch (Exception e) when (DeferredAttackHarness.IsLostBatch(e)) { refusing = IsRefusing(store); }
            if (!refusing)
            {
                store.CollectGarbage(GcMode.Full);
                Check(store, "live", log);
            }
        }
        finally
        {
            store.Dispose();
        }
        using var reopened = WorkspaceStore.Open(DeferredAttackHarness.Options(directory, TimeSpan.FromMinutes(1)));
        reopened.CollectGarbage(GcMode.Full);
        Check(reopened, "reopened", log);
    }

    /// <summary>Whether the store refuses changes after a failed commit (one design); otherwise later writes go on in a new batch.</summary>
    private static bool IsRefusing(WorkspaceStore store)
    {
        try
        {
            store.Flush();
            return false;
        }
        catch (Exception e) when (DeferredAttackHarness.IsLostBatch(e))
        {
            return true;
        }
    }

    private static void AbandonQuietly(Stream stream)
    {
        try { stream.Dispose(); }
        catch (Exception e) when (e is IOException or NoKVException) { }
    }

    private static void Check(WorkspaceStore store, string what, List<string> log)
    {
        var report = store.Verify();
        if (!report.IsHealthy) throw new InvalidOperationException($"{what} store unhealthy after {string.Join(" ", log)}: {string.Join("; ", report.Problems.Take(4))}");
        try
        {
            _ = DeferredAttackHarness.Files(store, "/w");
        }
        catch (Exception e) when (e is NoKVException or IOException)
        {
            throw new InvalidOperationException($"{what}: a file does not read back after {string.Join(" ", log)}: {e.GetType().Name}: {e.Message}", e);
        }
    }
}
