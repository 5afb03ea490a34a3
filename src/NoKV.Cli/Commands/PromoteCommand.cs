using System.CommandLine;
using static NoKV.Cli.Commands.CommandFactory;

namespace NoKV.Cli.Commands;

/// <summary>promote FORK TARGET [--prefer fork|target]: the applied delta in diff format, CONFLICT lines, exit 1 on conflicts.</summary>
internal static class PromoteCommand
{
    public static Command Build()
    {
        var fork = new Argument<string>("fork") { Description = "The fork to take changes from" };
        var target = new Argument<string>("target") { Description = "The tree it was cloned from" };
        var prefer = new Option<string?>("--prefer") { Description = "Resolve conflicts toward 'fork' or 'target' (default: apply nothing on conflict)" };
        prefer.AcceptOnlyFromAmong("fork", "target");

        return Create("promote", "Merge a fork's changes into the tree it was cloned from", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var strategy = p.GetValue(prefer) switch
            {
                "fork" => PromoteStrategy.PreferFork,
                "target" => PromoteStrategy.PreferTarget,
                _ => PromoteStrategy.FailOnConflict,
            };
            var result = await store.PromoteAsync(p.GetValue(fork)!, p.GetValue(target)!, new PromoteOptions { Strategy = strategy }, ct).ConfigureAwait(false);
            foreach (var delta in result.Applied)
                Console.Out.WriteLine($"{(delta.Kind == DeltaKind.Added ? 'A' : delta.Kind == DeltaKind.Removed ? 'D' : 'M')}    {delta.Path}");
            foreach (var conflict in result.Conflicts) Console.Out.WriteLine($"CONFLICT {conflict.Path}");
            if (result.Promoted) Console.Error.WriteLine($"promoted {p.GetValue(fork)} into {p.GetValue(target)} (undo: nokv rollback {p.GetValue(target)} {result.SnapshotId})");
            else Console.Error.WriteLine($"nothing promoted: {result.Conflicts.Count} conflicts (use --prefer fork|target)");
            return result.Conflicts.Count > 0 ? ExitCodes.Found : ExitCodes.Success;
        }), fork, target, prefer);
    }
}
