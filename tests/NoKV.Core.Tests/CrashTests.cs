using System.Diagnostics;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// A helper process (tests/NoKV.CrashHelper) runs a seeded workload and is killed with SIGKILL
/// at random moments, run after run, on the same store. After each kill the store is reopened
/// and must hold every acknowledged operation of every run, with the one in flight either done
/// or not (never torn); GC must then reclaim the orphans and Verify must find nothing.
/// With deferred durability the store must instead show a prefix of each run's acknowledged
/// operations that reaches at least its last durable one (a flush, snapshot or clone), and a
/// run's state, once settled by its kill, must never change after later kills.
/// NOKV_CRASH_ITERATIONS (default 25) and NOKV_CRASH_SEED configure it.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public void Killed_at_random_moments_the_store_keeps_every_acknowledged_operation() => KillAndCheck(deferred: false);

    [Fact]
    public void Killed_at_random_moments_a_deferred_store_keeps_a_prefix_through_every_flushed_operation() => KillAndCheck(deferred: true);

    private void KillAndCheck(bool deferred)
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("NOKV_CRASH_ITERATIONS"), out var n) ? n : 25;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("NOKV_CRASH_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"seed {seed} (NOKV_CRASH_SEED to replay), {iterations} iterations");
        var random = new Random(seed);
        var store = Path.Combine(_root, "store");
        Directory.CreateDirectory(_root);
        long acknowledged = 0, acknowledgedWrites = 0, inFlightDone = 0, inFlightNotDone = 0, lostUnflushed = 0;
        var settled = new Dictionary<int, StoreState>();

        for (var i = 0; i < iterations; i++)
        {
            var journal = Path.Combine(_root, $"r{i}.journal");
            using (var helper = StartHelper(store, $"r{i}", random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), journal, deferred ? "deferred" : "per-operation"))
            {
                // Kill only once the run has acknowledged something: a kill during process
                // start-up would check nothing.
                WaitForAcknowledgements(helper, journal, 1);
                Thread.Sleep(random.Next(0, 700));
                // On a loaded machine a run may acknowledge almost nothing in that time: then the
                // kill waits for a few more, so every run checks something whatever the load.
                WaitForAcknowledgements(helper, journal, 4);
                helper.Kill(); // SIGKILL: no finally blocks, no Dispose, no flush
                helper.WaitForExit();
            }

            using var reopened = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = store, ChunkSize = Workload.ChunkSize, OrphanGracePeriod = TimeSpan.Zero });
            for (var j = 0; j <= i; j++)
            {
                var replay = JournalReplay.Load(Path.Combine(_root, $"r{j}.journal"));
                var actual = Observe(reopened, $"r{j}");
                if (j < i)
                {
                    Assert.True(settled[j].SameAs(actual), $"run r{j} changed after kill {i}:\nsettled {settled[j]}\nactual  {actual}");
                }
                var matchesDone = replay.IfInFlightDone is { } done && done.SameAs(actual);
                var prefix = deferred ? replay.MatchingPrefix(actual) : -1;
                Assert.True(replay.Acknowledged.SameAs(actual) || matchesDone || prefix >= 0,
                    $"run r{j} after kill {i}: the store matches neither the acknowledged state nor it plus the op in flight ({replay.InFlight})" +
                    (deferred ? $" nor any prefix from the last durable operation (#{replay.DurableThrough})" : "") + ".\n" +
                    $"expected {replay.Acknowledged}\nactual   {actual}");
                settled[j] = actual;
                foreach (var (pin, files) in replay.Acknowledged.Pins) Assert.True(SameFiles(files, Read(reopened.GetSnapshot(pin))), $"snapshot {pin} of run r{j} changed");
                if (j == i)
                {
                    Assert.True(replay.AcknowledgedCount > 0, $"run r{i} was killed before it acknowledged anything");
                    acknowledged += replay.AcknowledgedCount;
                    acknowledgedWrites += replay.AcknowledgedWrites;
                    if (replay.InFlight is not null) { if (matchesDone && !replay.Acknowledged.SameAs(actual)) inFlightDone++; else inFlightNotDone++; }
                    if (!replay.Acknowledged.SameAs(actual) && !matchesDone) lostUnflushed += replay.AcknowledgedCount - prefix;
                }
            }

            reopened.CollectGarbage(GcMode.Full);
            var report = reopened.Verify();
            Assert.True(report.IsHealthy, $"after kill {i}: " + string.Join("; ", report.Problems));
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(store, "blocks"), ".tmp-*", SearchOption.AllDirectories));
        }
        Assert.True(acknowledgedWrites >= iterations, $"only {acknowledgedWrites} file writes were acknowledged before {iterations} kills: the test checked too little");
        output.WriteLine($"{acknowledged} acknowledged operations ({acknowledgedWrites} file writes), {lostUnflushed} of them unflushed and lost at a kill (deferred only); in flight at the kill: {inFlightDone} landed, {inFlightNotDone} did not; 0 torn");
    }

    private static void WaitForAcknowledgements(Process helper, string journal, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (Acknowledged(journal) < count)
        {
            if (helper.HasExited) Assert.Fail($"the crash helper exited ({helper.ExitCode}) before acknowledging {count} operations: {helper.StandardError.ReadToEnd()}");
            if (deadline.Elapsed > TimeSpan.FromSeconds(60)) Assert.Fail($"the crash helper acknowledged fewer than {count} operations within 60 s");
            Thread.Sleep(10);
        }
    }

    /// <summary>How many operations the run's journal says were acknowledged so far.</summary>
    private static int Acknowledged(string journal)
    {
        var count = 0;
        try
        {
            using var reader = new StreamReader(new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            {
                if (line.StartsWith("ack ", StringComparison.Ordinal)) count++;
            }
            return count;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    internal static Process StartHelper(params string[] args)
    {
        var helper = Path.Combine(AppContext.BaseDirectory, "NoKV.CrashHelper.dll");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(helper);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    private static StoreState Observe(WorkspaceStore store, string run)
    {
        var state = new StoreState();
        foreach (var ws in store.ListWorkspaces().Where(w => w.Path.StartsWith($"/{run}/", StringComparison.Ordinal)))
        {
            var workspace = store.OpenWorkspace(ws.Path);
            state.Workspaces[ws.Path] = workspace.List("/").ToDictionary(f => f.Path, f => workspace.ReadAllBytesAsync(f.Path).GetAwaiter().GetResult(), StringComparer.Ordinal);
        }
        return state;
    }

    private static Dictionary<string, byte[]> Read(SnapshotPin pin) =>
        pin.List("/").ToDictionary(f => f.Path, f => pin.ReadAllBytesAsync(f.Path).GetAwaiter().GetResult(), StringComparer.Ordinal);

    internal static bool SameFiles(Dictionary<string, byte[]> a, Dictionary<string, byte[]> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && other.AsSpan().SequenceEqual(kv.Value));
}

/// <summary>Workspaces (path → files) and snapshots (id → files) of one run.</summary>
internal sealed class StoreState
{
    public Dictionary<string, Dictionary<string, byte[]>> Workspaces { get; } = new(StringComparer.Ordinal);
    public Dictionary<long, Dictionary<string, byte[]>> Pins { get; } = [];

    public StoreState Copy()
    {
        var copy = new StoreState();
        foreach (var (ws, files) in Workspaces) copy.Workspaces[ws] = new Dictionary<string, byte[]>(files, StringComparer.Ordinal);
        foreach (var (pin, files) in Pins) copy.Pins[pin] = files;
        return copy;
    }

    public bool SameAs(StoreState other) =>
        Workspaces.Count == other.Workspaces.Count && Workspaces.All(kv => other.Workspaces.TryGetValue(kv.Key, out var files) && CrashTests.SameFiles(kv.Value, files));

    public override string ToString() => string.Join(" ", Workspaces.OrderBy(w => w.Key, StringComparer.Ordinal)
        .Select(w => $"{w.Key}[{string.Join(",", w.Value.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}:{f.Value.Length}"))}]"));
}

/// <summary>Rebuilds what a run's journal says must be in the store.</summary>
internal sealed class JournalReplay
{
    public required StoreState Acknowledged { get; init; }
    public StoreState? IfInFlightDone { get; init; }
    public string? InFlight { get; init; }
    public int AcknowledgedCount { get; init; }
    public int AcknowledgedWrites { get; init; }

    /// <summary>The state after each acknowledged operation (index 0: before the first).</summary>
    public required IReadOnlyList<StoreState> Prefixes { get; init; }

    /// <summary>How many acknowledged operations were durable when acknowledged: up to the last flush, snapshot or clone.</summary>
    public int DurableThrough { get; init; }

    /// <summary>The length of the longest acknowledged prefix, at least <see cref="DurableThrough"/>, whose state is <paramref name="actual"/>; -1 if none.</summary>
    public int MatchingPrefix(StoreState actual)
    {
        for (var k = Prefixes.Count - 1; k >= DurableThrough; k--)
        {
            if (Prefixes[k].SameAs(actual)) return k;
        }
        return -1;
    }

    public static JournalReplay Load(string path)
    {
        var run = Path.GetFileNameWithoutExtension(path);
        var lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        var state = new StoreState();
        string? inFlight = null;
        var acked = 0;
        var writes = 0;
        var durableThrough = 0;
        var prefixes = new List<StoreState> { state.Copy() };
        foreach (var line in lines)
        {
            if (line.StartsWith("begin ", StringComparison.Ordinal)) { inFlight = line[6..]; continue; }
            if (!line.StartsWith("ack ", StringComparison.Ordinal)) continue; // a line cut by the kill
            var op = line[4..].Split(' ');
            Apply(state, run, op, knownResult: true);
            prefixes.Add(state.Copy());
            inFlight = null;
            acked++;
            if (op[0] is "flush" or "snapshot" or "clone") durableThrough = acked;
            if (line.StartsWith("ack write ", StringComparison.Ordinal)) writes++;
        }
        StoreState? done = null;
        if (inFlight is not null)
        {
            done = state.Copy();
            Apply(done, run, inFlight.Split(' '), knownResult: false);
        }
        return new JournalReplay { Acknowledged = state, IfInFlightDone = done, InFlight = inFlight, AcknowledgedCount = acked, AcknowledgedWrites = writes, Prefixes = prefixes, DurableThrough = durableThrough };
    }

    private static void Apply(StoreState state, string run, string[] op, bool knownResult)
    {
        switch (op[0])
        {
            case "create": state.Workspaces[op[1]] = new(StringComparer.Ordinal); break;
            case "write":
                state.Workspaces[op[1]][op[2]] = Workload.Content(run, int.Parse(op[4], System.Globalization.CultureInfo.InvariantCulture), int.Parse(op[3], System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "delete": state.Workspaces[op[1]].Remove(op[2]); break;
            case "snapshot":
                if (knownResult) state.Pins[long.Parse(op[2], System.Globalization.CultureInfo.InvariantCulture)] = new(state.Workspaces[op[1]], StringComparer.Ordinal);
                break;
            case "clone":
                state.Workspaces[op[2]] = new(state.Workspaces[op[1]], StringComparer.Ordinal);
                if (knownResult) state.Pins[long.Parse(op[3], System.Globalization.CultureInfo.InvariantCulture)] = new(state.Workspaces[op[1]], StringComparer.Ordinal);
                break;
            case "rollback":
                state.Workspaces[op[1]] = new(state.Pins[long.Parse(op[2], System.Globalization.CultureInfo.InvariantCulture)], StringComparer.Ordinal);
                break;
        }
    }
}
