using System.CommandLine;
using System.Text.Json;
using NoKV.Cli.Output;
using NoKV.Cli.Sessions;
using static NoKV.Cli.Commands.CommandFactory;

namespace NoKV.Cli.Commands;

/// <summary>diff A B: one line per differing path, or JSON, a summary, or unified patches.</summary>
internal static class DiffCommand
{
    public static Command Build()
    {
        var a = new Argument<string>("a") { Description = "A workspace, a directory in one, or @ID" };
        var b = new Argument<string>("b") { Description = "A workspace, a directory in one, or @ID" };
        var json = new Option<bool>("--json") { Description = "A JSON array of {path, change}" };
        var stat = new Option<bool>("--stat") { Description = "Counts of added, modified and removed paths" };
        var patch = new Option<bool>("--patch") { Description = "Unified diffs of text files ('Binary files ... differ' otherwise)" };
        var exitCode = new Option<bool>("--exit-code") { Description = "Exit 1 if there are differences" };

        return Create("diff", "Show what differs between two subtrees: A (added), M (modified), D (deleted)", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var (left, right) = (p.GetValue(a)!, p.GetValue(b)!);
            var deltas = await store.DiffAsync(Side(left), Side(right), ct).ConfigureAwait(false);
            if (p.GetValue(json)) WriteJson(deltas);
            else if (p.GetValue(stat)) WriteStat(deltas);
            else if (p.GetValue(patch)) await WritePatchAsync(store, left, right, deltas, ct).ConfigureAwait(false);
            else foreach (var d in deltas) Console.Out.WriteLine($"{Letter(d.Kind)}    {d.Path}");
            return p.GetValue(exitCode) && deltas.Count > 0 ? ExitCodes.Found : ExitCodes.Success;
        }), a, b, json, stat, patch, exitCode);
    }

    /// <summary>"@7" names snapshot 7; anything else is a store path.</summary>
    private static (string Path, long? Snapshot) Side(string text) =>
        CliContext.TryParseSnapshot(text, out var id) ? (text, id) : (text, null);

    private static char Letter(DeltaKind kind) => kind switch { DeltaKind.Added => 'A', DeltaKind.Removed => 'D', _ => 'M' };

    private static void WriteJson(IReadOnlyList<SubtreeDelta> deltas) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(deltas.Select(d => new Dictionary<string, string>
        {
            ["path"] = d.Path,
            ["change"] = d.Kind.ToString().ToLowerInvariant(),
        })));

    private static void WriteStat(IReadOnlyList<SubtreeDelta> deltas) =>
        Console.Out.WriteLine($"{deltas.Count(d => d.Kind == DeltaKind.Added)} added, {deltas.Count(d => d.Kind == DeltaKind.Modified)} modified, {deltas.Count(d => d.Kind == DeltaKind.Removed)} removed");

    private static async Task WritePatchAsync(IStoreSession store, string left, string right, IReadOnlyList<SubtreeDelta> deltas, CancellationToken cancellationToken)
    {
        var l = await ReadTarget.ResolveAsync(store, left, cancellationToken).ConfigureAwait(false);
        var r = await ReadTarget.ResolveAsync(store, right, cancellationToken).ConfigureAwait(false);
        foreach (var delta in deltas)
        {
            var before = delta.Kind == DeltaKind.Added ? null : await ReadFileAsync(l, delta.Path, cancellationToken).ConfigureAwait(false);
            var after = delta.Kind == DeltaKind.Removed ? null : await ReadFileAsync(r, delta.Path, cancellationToken).ConfigureAwait(false);
            if (before is null && after is null) continue; // directories
            var oldLabel = before is null ? "/dev/null" : "a" + delta.Path;
            var newLabel = after is null ? "/dev/null" : "b" + delta.Path;
            Console.Out.WriteLine($"diff --nokv a{delta.Path} b{delta.Path}");
            string oldText = "", newText = "";
            if ((before is not null && !UnifiedDiff.TryDecode(before, out oldText)) || (after is not null && !UnifiedDiff.TryDecode(after, out newText)))
            {
                Console.Out.WriteLine($"Binary files {oldLabel} and {newLabel} differ");
                continue;
            }
            foreach (var line in UnifiedDiff.Format(oldLabel, newLabel, oldText, newText)) Console.Out.WriteLine(line);
        }
    }

    /// <summary>The bytes of a file (null for a directory or a path the side lacks).</summary>
    private static async Task<byte[]?> ReadFileAsync(ReadTarget side, string relative, CancellationToken cancellationToken)
    {
        var path = side.Join(relative);
        try
        {
            if ((await side.StatAsync(path, cancellationToken).ConfigureAwait(false)).Kind != NodeKind.File) return null;
        }
        catch (PathNotFoundException)
        {
            return null;
        }
        await using var stream = await side.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
