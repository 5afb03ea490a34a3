// The agent-fork workflow NoKV exists for: one base workspace (code + a large weights file),
// 100 agents each working in their own copy-on-write fork, a diff of what each changed, the
// best fork promoted into the base, the rest rolled back and dropped, and GC reclaiming what
// nobody needs. Where FUSE is available (Linux, /dev/fuse, root), a few forks are also mounted as
// real directories and real commands run inside them.
//
//   dotnet run -c Release --project samples/AgentForks [-- --forks N --store DIR --keep]
using System.Diagnostics;
using NoKV;

var forkCount = ArgValue("--forks") is { } f ? int.Parse(f, System.Globalization.CultureInfo.InvariantCulture) : 100;
var storeDir = ArgValue("--store") ?? Path.Combine(Path.GetTempPath(), "nokv-agentforks-" + Guid.NewGuid().ToString("N")[..8]);
var keep = args.Contains("--keep");

Console.WriteLine($"NoKV agent-fork sample: {forkCount} forks, store {storeDir}");
var total = Stopwatch.StartNew();
await using var store = WorkspaceStore.Open(storeDir);

// 1. A realistic base: a small generated repository and a 64 MiB "weights" file.
var clock = Stopwatch.StartNew();
var baseWs = store.CreateWorkspace("/base");
var baseBytes = await BaseTree.WriteAsync(baseWs);
Step($"created /base: {BaseTree.SourceFiles} source files + weights, {Mib(baseBytes)}", clock);

// 2. Pin the base so every agent starts from the same version.
clock.Restart();
var pin = baseWs.Snapshot();
Step($"snapshot /base -> id={pin.Id} version={pin.ReadVersion}", clock);

// 3. Fork one workspace per agent, in parallel. Each clone is O(1): no data is copied.
var cloneTimes = new double[forkCount];
clock.Restart();
Parallel.For(0, forkCount, i =>
{
    var t = Stopwatch.StartNew();
    store.Clone(pin, $"/forks/agent-{i}");
    cloneTimes[i] = t.Elapsed.TotalMicroseconds;
});
Step($"cloned {forkCount} forks", clock);

// 4. Every agent edits, adds and deletes files in its own fork.
clock.Restart();
var written = new long[forkCount];
var scores = new double[forkCount];
var done = 0;
await Parallel.ForEachAsync(Enumerable.Range(0, forkCount), async (i, ct) =>
{
    var ws = store.OpenWorkspace($"/forks/agent-{i}");
    written[i] = await Agent.WorkAsync(ws, i, ct);
    scores[i] = new Random(i).NextDouble();
    var n = Interlocked.Increment(ref done);
    if (n % Math.Max(1, forkCount / 10) == 0) Progress($"  agents finished: {n}/{forkCount}");
});
if (!Console.IsOutputRedirected) Console.WriteLine();
Step("agents finished their work", clock);

// 4b. Agents that run shell tools get a real directory over their fork (Linux, FUSE): mount a
// few forks, run real commands in them, and their files land in the fork like any other write.
clock.Restart();
var mounted = await MountedAgents.RunAsync(store, Math.Min(forkCount, 10));
Step(mounted, clock);

// 5. See exactly what each agent changed, against the pinned base.
clock.Restart();
var diffTimes = new double[forkCount];
var changes = new IReadOnlyList<SubtreeDelta>[forkCount];
for (var i = 0; i < forkCount; i++)
{
    var t = Stopwatch.StartNew();
    changes[i] = store.Diff(pin, $"/forks/agent-{i}");
    diffTimes[i] = t.Elapsed.TotalMicroseconds;
}
Step($"diffed {forkCount} forks against the base", clock);
var best = Array.IndexOf(scores, scores.Max());
Console.WriteLine($"  best fork: /forks/agent-{best} (score {scores[best]:F3}), its changes:");
foreach (var d in changes[best]) Console.WriteLine($"    {Letter(d.Kind)}    {d.Path}");

// 6. Keep the best: promote its changes into the base (a fast-forward: the base has not moved).
clock.Restart();
var promoted = store.Promote($"/forks/agent-{best}", "/base");
if (!promoted.Promoted || store.Diff(pin, "/base").Count != changes[best].Count) throw new InvalidOperationException("the promote lost changes");
Step($"promoted agent-{best} into /base: {promoted.Applied.Count} changes{(promoted.FastForward ? " (fast-forward)" : "")}, no data copied", clock);

// 7. Roll every fork back (O(1) each), check each equals the base snapshot again, then drop it.
clock.Restart();
var rollbackTimes = new List<double>();
for (var i = 0; i < forkCount; i++)
{
    var t = Stopwatch.StartNew();
    store.Rollback($"/forks/agent-{i}", pin.Id);
    rollbackTimes.Add(t.Elapsed.TotalMicroseconds);
    if (store.Diff(pin, $"/forks/agent-{i}").Count != 0) throw new InvalidOperationException($"agent-{i} differs from the base after rollback");
    store.DeleteWorkspace($"/forks/agent-{i}");
}
Step($"rolled back and dropped {forkCount} forks", clock);

// 8. Release the snapshots and collect garbage: only the base's blocks (with the promoted ones) remain.
clock.Restart();
store.ReleaseSnapshot(pin.Id);
store.ReleaseSnapshot(promoted.SnapshotId);
var gc = store.CollectGarbage();
Step($"gc: {gc.BlocksDeleted} blocks / {Mib(gc.BytesReclaimed)} reclaimed, {gc.LayersCollected} layers collected, {gc.LayersMerged} merged", clock);
if (!store.Verify().IsHealthy) throw new InvalidOperationException("the store is not healthy");

Console.WriteLine();
Console.WriteLine("summary");
Console.WriteLine($"  {"forks",-28}{forkCount,14}");
Console.WriteLine($"  {"paths changed (all forks)",-28}{changes.Sum(c => c.Count),14}");
Console.WriteLine($"  {"bytes shared zero-copy",-28}{Mib(baseBytes * forkCount),14}");
Console.WriteLine($"  {"bytes written by agents",-28}{Mib(written.Sum()),14}");
Console.WriteLine($"  {"clone   median / max",-28}{Median(cloneTimes),10:F0} µs / {cloneTimes.Max():F0} µs");
Console.WriteLine($"  {"diff    median / max",-28}{Median(diffTimes),10:F0} µs / {diffTimes.Max():F0} µs");
Console.WriteLine($"  {"rollback median / max",-28}{Median([.. rollbackTimes]),10:F0} µs / {rollbackTimes.DefaultIfEmpty(0).Max():F0} µs");
Console.WriteLine($"  {"total",-28}{total.Elapsed.TotalSeconds,12:F2} s");

await store.DisposeAsync();
if (!keep) Directory.Delete(storeDir, recursive: true);
return 0;

string? ArgValue(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static void Step(string what, Stopwatch clock) => Console.WriteLine($"  {clock.Elapsed.TotalMilliseconds,9:F1} ms  {what}");

static string Mib(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):F1} MiB" : $"{bytes / 1024.0:F1} KiB";

// On a terminal progress redraws one line; redirected output gets one line per update.
static void Progress(string text)
{
    if (Console.IsOutputRedirected) Console.WriteLine(text);
    else Console.Write("\r" + text);
}

static double Median(double[] values)
{
    if (values.Length == 0) return 0;
    var sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}

static char Letter(DeltaKind kind) => kind switch { DeltaKind.Added => 'A', DeltaKind.Removed => 'D', _ => 'M' };
