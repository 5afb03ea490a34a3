// Give an agent a fork: one base workspace, five forks, five (scripted) agents working through
// the NoKV.AI tools under Microsoft.Extensions.AI's function-invoking pipeline. The sample prints
// each fork's diff, picks the best fork by a stated rule, promotes it into the base and drops the
// rest. Replace ScriptedModel with a real IChatClient and nothing else changes.
//
//   dotnet run -c Release --project samples/AgentTools [-- --store DIR --keep]
using System.Text;
using Microsoft.Extensions.AI;
using NoKV;
using NoKV.AI;

var storeDir = ArgValue("--store") ?? Path.Combine(Path.GetTempPath(), "nokv-agenttools-" + Guid.NewGuid().ToString("N")[..8]);
var keep = args.Contains("--keep");
await using var store = WorkspaceStore.Open(storeDir);

// The base: a tiny project with a bug and its tests.
var baseWs = store.CreateWorkspace("/base");
baseWs.CreateDirectory("/tests");
await Write(baseWs, "/calc.py", "def add(a, b):\n    return a - b  # add\n\n\ndef sub(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n");
await Write(baseWs, "/tests/test_calc.py", "from calc import add, sub, mul\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n");
Console.WriteLine($"base /base: calc.py, tests/test_calc.py. Task: {Agents.Task}\n");

var results = new List<(string Agent, string Fork, IReadOnlyList<SubtreeDelta> Diff, bool Passes, int ChangedLines)>();
foreach (var model in Agents.All())
{
    // The five lines it takes: fork, tools, pipeline, run.
    var fork = store.Clone("/base", $"/forks/{model.Name}");
    var tools = WorkspaceTools.Create(fork.Workspace, new WorkspaceToolOptions { BaseSnapshot = store.GetSnapshot(fork.SnapshotId) });
    using var agent = new ChatClientBuilder(model).UseFunctionInvocation().Build();
    var answer = await agent.GetResponseAsync(Agents.Task, new ChatOptions { Tools = [.. tools] });

    var diff = store.Diff(store.GetSnapshot(fork.SnapshotId), fork.Root);
    var passes = await Check(fork.Workspace, diff);
    // The same diff tool the agent had, with hunks: what a reviewer would read.
    var shown = await tools.Single(t => t.Name == "diff").InvokeAsync(new() { ["include_hunks"] = true });
    var changedLines = shown?.ToString()?.Split('\n').Count(l => l.Length > 0 && l[0] is '+' or '-' && !l.StartsWith("+++", StringComparison.Ordinal) && !l.StartsWith("---", StringComparison.Ordinal)) ?? 0;
    results.Add((model.Name, fork.Root, diff, passes, changedLines));
    Console.WriteLine($"== {fork.Root} ({model.Name}): \"{answer.Text}\"  check: {(passes ? "pass" : "FAIL")}");
    Console.WriteLine("   " + shown?.ToString()?.Replace("\n", "\n   ", StringComparison.Ordinal));
    Console.WriteLine();
}

// The rule: a fork qualifies if add() is fixed, sub() and mul() still work, and no test was
// deleted; among those, the smallest diff wins (fewest changed paths, then fewest changed
// lines), ties broken by name.
var best = results.Where(r => r.Passes)
    .OrderBy(r => r.Diff.Count)
    .ThenBy(r => r.ChangedLines)
    .ThenBy(r => r.Agent, StringComparer.Ordinal)
    .FirstOrDefault();
Console.WriteLine("Rule: add() fixed, sub()/mul() intact, no test deleted; then the smallest diff.");
if (best.Fork is null)
{
    Console.WriteLine("No fork passes; nothing promoted.");
}
else
{
    var promoted = store.Promote(best.Fork, "/base");
    Console.WriteLine($"Promoted {best.Fork} into /base: {promoted.Applied.Count} path(s){(promoted.FastForward ? ", fast-forward" : "")}.");
    Console.WriteLine("/base/calc.py is now:\n" + Encoding.UTF8.GetString(await baseWs.ReadAllBytesAsync("/calc.py")));
}
foreach (var r in results)
{
    foreach (var pin in store.ListSnapshots(r.Fork)) store.ReleaseSnapshot(pin.Id);
    store.DeleteWorkspace(r.Fork);
}
Console.WriteLine($"Dropped {results.Count} forks.");

if (!keep)
{
    await store.DisposeAsync();
    Directory.Delete(storeDir, recursive: true);
}
return best.Fork is null ? 1 : 0;

// A stand-in for running the tests: reads the fork's calc.py and checks the three functions' bodies.
static async Task<bool> Check(Workspace ws, IReadOnlyList<SubtreeDelta> diff)
{
    if (diff.Any(d => d.Kind == DeltaKind.Removed && d.Path.StartsWith("/tests", StringComparison.Ordinal))) return false;
    if (!ws.Exists("/calc.py")) return false;
    var code = Encoding.UTF8.GetString(await ws.ReadAllBytesAsync("/calc.py")).Replace(" ", "", StringComparison.Ordinal);
    return code.Contains("defadd(a,b):\nreturna+b", StringComparison.Ordinal) || code.Contains("defadd(a,b):returna+b", StringComparison.Ordinal)
        ? code.Contains("returna-b", StringComparison.Ordinal) && code.Contains("returna*b", StringComparison.Ordinal)
        : false;
}

static Task Write(Workspace ws, string path, string text) => ws.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(text));

string? ArgValue(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
