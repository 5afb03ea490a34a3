using System.Diagnostics;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// SIGKILL during a brand-new store's first moments: creation of meta/, the identity file, the
/// first workspace and the first writes. Each iteration uses a fresh store directory, kills the
/// helper at a random moment in its first few hundred milliseconds and reopens. The store must
/// open (an interrupted creation that acknowledged nothing is a new store, not damage) and hold
/// every acknowledged operation.
/// </summary>
public sealed class FreshStoreCrashAttackTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-attack3-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public void Killed_while_a_new_store_is_created_and_first_written_it_reopens_with_every_acknowledged_op()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("NOKV_ATTACK3_ITERATIONS"), out var n) ? n : 40;
        var seed = Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        Directory.CreateDirectory(_root);
        int noAck = 0, someAck = 0, storeDirMissing = 0;
        var failures = new List<string>();

        for (var i = 0; i < iterations; i++)
        {
            var store = Path.Combine(_root, $"i{i}", "store");
            // JournalReplay takes the run name from the journal's file name.
            Directory.CreateDirectory(Path.Combine(_root, $"i{i}"));
            var journal = Path.Combine(_root, $"i{i}", "r0.journal");
            var helper = CrashTests.StartHelper(store, "r0", random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), journal);
            // Startup of the dotnet host takes roughly 100-200 ms; spread kills across it, the
            // store's creation and its first acknowledged ops.
            // Odd iterations aim at creation itself: wait for the store directory to appear,
            // then kill within the next few milliseconds (meta/, data.mdb, identity file).
            var killAfter = random.Next(60, 700);
            if (i % 2 == 1)
            {
                var watch = Stopwatch.StartNew();
                while (!Directory.Exists(store) && !helper.HasExited && watch.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(1);
                killAfter = random.Next(0, 40);
            }
            Thread.Sleep(killAfter);
            try { helper.Kill(); } catch (InvalidOperationException) { }
            helper.WaitForExit();
            helper.Dispose();

            if (!Directory.Exists(store)) { storeDirMissing++; continue; }
            var replay = JournalReplay.Load(journal);
            if (replay.AcknowledgedCount == 0) noAck++; else someAck++;
            var listing = string.Join(", ", Directory.EnumerateFileSystemEntries(store, "*", SearchOption.AllDirectories)
                .Select(p => $"{Path.GetRelativePath(store, p)}({(File.Exists(p) ? new FileInfo(p).Length : -1)})"));
            WorkspaceStore reopened;
            try
            {
                reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = store, ChunkSize = Workload.ChunkSize, OrphanGracePeriod = TimeSpan.Zero });
            }
            catch (Exception e)
            {
                failures.Add($"kill {i} after {killAfter} ms, {replay.AcknowledgedCount} acked, in flight '{replay.InFlight}': reopen threw {e.GetType().Name}: {e.Message}\n  files: {listing}");
                continue;
            }
            using (reopened)
            {
                var actual = Observe(reopened);
                var matchesDone = replay.IfInFlightDone is { } done && done.SameAs(actual);
                if (!replay.Acknowledged.SameAs(actual) && !matchesDone)
                    failures.Add($"kill {i} after {killAfter} ms: state matches neither acked nor acked+in-flight ({replay.InFlight})\n expected {replay.Acknowledged}\n actual {actual}");
                foreach (var (pin, files) in replay.Acknowledged.Pins)
                {
                    if (!CrashTests.SameFiles(files, ReadPin(reopened.GetSnapshot(pin)))) failures.Add($"kill {i}: snapshot {pin} changed");
                }
                reopened.CollectGarbage(GcMode.Full);
                var report = reopened.Verify();
                if (!report.IsHealthy) failures.Add($"kill {i}: verify: " + string.Join("; ", report.Problems));
                // The reopened store must be usable as new.
                var ws = reopened.WorkspaceExists("/after") ? reopened.OpenWorkspace("/after") : reopened.CreateWorkspace("/after");
                Attack3Sync.Write(ws);
            }
            // And once more after a clean close.
            using (var again = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = store, ChunkSize = Workload.ChunkSize }))
            {
                if (!again.OpenWorkspace("/after").Exists("/x")) failures.Add($"kill {i}: write after reopen lost");
            }
        }
        output.WriteLine($"{iterations} kills: {noAck} before any ack, {someAck} after some, {storeDirMissing} before the store dir existed");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Killed_again_and_again_while_a_young_store_opens_it_keeps_every_run_acknowledged_op()
    {
        var seed = Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var failures = new List<string>();
        int acked = 0;
        for (var s = 0; s < 8; s++)
        {
            var dir = Path.Combine(_root, $"multi{s}");
            var store = Path.Combine(dir, "store");
            Directory.CreateDirectory(dir);
            const int runs = 5;
            for (var r = 0; r < runs; r++)
            {
                var helper = CrashTests.StartHelper(store, $"r{r}", random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), Path.Combine(dir, $"r{r}.journal"));
                var watch = Stopwatch.StartNew();
                // Wait for this run's open to begin touching the store (the lock file is
                // rewritten on open), then kill within its first moments.
                while (!Directory.Exists(store) && !helper.HasExited && watch.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(1);
                Thread.Sleep(random.Next(0, r == 0 ? 40 : 450));
                try { helper.Kill(); } catch (InvalidOperationException) { }
                helper.WaitForExit();
                helper.Dispose();
            }
            WorkspaceStore reopened;
            try
            {
                reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = store, ChunkSize = Workload.ChunkSize, OrphanGracePeriod = TimeSpan.Zero });
            }
            catch (Exception e)
            {
                failures.Add($"store {s}: reopen threw {e.GetType().Name}: {e.Message}");
                continue;
            }
            using (reopened)
            {
                for (var r = 0; r < runs; r++)
                {
                    var replay = JournalReplay.Load(Path.Combine(dir, $"r{r}.journal"));
                    acked += replay.AcknowledgedCount;
                    var actual = ObserveRun(reopened, $"r{r}");
                    var matchesDone = replay.IfInFlightDone is { } done && done.SameAs(actual);
                    if (!replay.Acknowledged.SameAs(actual) && !matchesDone)
                        failures.Add($"store {s} run r{r}: expected {replay.Acknowledged} (in flight {replay.InFlight})\n actual {actual}");
                }
                reopened.CollectGarbage(GcMode.Full);
                var report = reopened.Verify();
                if (!report.IsHealthy) failures.Add($"store {s}: verify: " + string.Join("; ", report.Problems));
            }
        }
        output.WriteLine($"{acked} acknowledged ops checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static StoreState ObserveRun(WorkspaceStore store, string run)
    {
        var state = new StoreState();
        foreach (var ws in store.ListWorkspaces().Where(w => w.Path.StartsWith($"/{run}/", StringComparison.Ordinal)))
        {
            var workspace = store.OpenWorkspace(ws.Path);
            state.Workspaces[ws.Path] = workspace.List("/").ToDictionary(f => f.Path, f => workspace.ReadAllBytesAsync(f.Path).GetAwaiter().GetResult(), StringComparer.Ordinal);
        }
        return state;
    }

    private static StoreState Observe(WorkspaceStore store)
    {
        var state = new StoreState();
        foreach (var ws in store.ListWorkspaces().Where(w => w.Path.StartsWith("/r0/", StringComparison.Ordinal)))
        {
            var workspace = store.OpenWorkspace(ws.Path);
            state.Workspaces[ws.Path] = workspace.List("/").ToDictionary(f => f.Path, f => workspace.ReadAllBytesAsync(f.Path).GetAwaiter().GetResult(), StringComparer.Ordinal);
        }
        return state;
    }

    private static Dictionary<string, byte[]> ReadPin(SnapshotPin pin) =>
        pin.List("/").ToDictionary(f => f.Path, f => pin.ReadAllBytesAsync(f.Path).GetAwaiter().GetResult(), StringComparer.Ordinal);
}

internal static class Attack3Sync
{
    public static void Write(Workspace ws) => ws.WriteAllBytesAsync("/x", new byte[] { 1, 2, 3 }).GetAwaiter().GetResult();
}
