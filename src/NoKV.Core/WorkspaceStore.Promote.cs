using NoKV.Diagnostics;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Namespace;
using NoKV.Paths;
using NoKV.Promote;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    /// <summary>
    /// Merges a fork's changes into the tree it was cloned from, at the path level, in one
    /// transaction. The merge base is where the fork split off. If the target has not changed
    /// since, this is a fast-forward; otherwise a path changed on one side only is taken from
    /// that side, and a path both changed differently is a conflict: nothing is applied and the
    /// conflicts are returned, unless <paramref name="options"/> chooses a side. The target is
    /// snapshotted first (<see cref="PromoteResult.SnapshotId"/>) so the promote can be rolled
    /// back. No data is copied: promoted files share the fork's blocks. Other forks are unaffected.
    /// </summary>
    /// <param name="forkPath">The fork: a workspace, or a directory in one.</param>
    /// <param name="targetPath">The tree it was cloned from (a workspace or a directory, the same one the clone was made of).</param>
    /// <param name="options">The conflict strategy; default: apply nothing on conflict.</param>
    /// <param name="cancellationToken">Stops the planning diffs (the one write transaction is not interrupted once it applies).</param>
    /// <exception cref="WorkspaceNotFoundException">No workspace holds one of the paths.</exception>
    /// <exception cref="UnrelatedWorkspacesException">The two share no history.</exception>
    /// <exception cref="ReadOnlyWorkspaceException">The target's workspace is read-only.</exception>
    /// <exception cref="PathLimitExceededException">
    /// The target directory lies deeper in its workspace than the fork's root, and a promoted
    /// node would land beyond the path limits there; nothing is applied.
    /// </exception>
    /// <exception cref="StoreCorruptedException">A changed node cannot be named by any path (it lies beyond the limits): the change is never dropped silently.</exception>
    public PromoteResult Promote(string forkPath, string targetPath, PromoteOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var op = Telemetry.Start(StoreOperation.Promote, forkPath).SetTag("nokv.target.path", targetPath);
        ArgumentNullException.ThrowIfNull(forkPath);
        ArgumentNullException.ThrowIfNull(targetPath);
        var strategy = options?.Strategy ?? PromoteStrategy.FailOnConflict;

        // Plan in a read snapshot first: a conflicted promote without a strategy writes nothing,
        // not even the pre-promote snapshot.
        var dryRun = Read(txn =>
        {
            var (targetWsPath, targetWs, _) = FindWorkspace(txn, targetPath, nameof(targetPath));
            Writable(targetWs, targetWsPath);
            return PlanOrThrow(txn, forkPath, targetPath, cancellationToken);
        });
        if (dryRun.Conflicts.Count > 0 && strategy == PromoteStrategy.FailOnConflict)
            return op.Complete(new PromoteResult { Promoted = false, FastForward = false, Applied = [], Conflicts = dryRun.Conflicts, SnapshotId = 0 });

        var promoted = op.Complete(WriteDurably(txn =>
        {
            var (targetWsPath, targetWs, inner) = FindWorkspace(txn, targetPath, nameof(targetPath));
            Writable(targetWs, targetWsPath);
            var (_, _, forkInner) = FindWorkspace(txn, forkPath, nameof(forkPath));
            var pin = CreatePin(txn, targetWsPath, targetWs, inner);
            // Plan again inside the transaction: the state may have moved since the dry run.
            var planner = PlanOrThrow(txn, forkPath, targetPath, cancellationToken);
            if (planner.Conflicts.Count > 0 && strategy == PromoteStrategy.FailOnConflict)
                throw new NoKVException($"'{targetPath}' changed while the promote was being planned; try again.");

            var ws = GetWorkspace(txn, targetWsPath, targetWs.Id);
            var writer = new HeadWriter(txn, HeadView(txn, ws));
            var paths = planner.PathsFor(strategy).ToList();
            EnsurePromotedPathsFit(txn, planner.Fork, planner.Target, forkInner, inner, paths);
            new SubtreeRestorer(txn, writer, planner.Fork, () => _ids.Next(txn), asNewChanges: true).ReplacePaths(planner.Target.RootInode, paths);
            writer.Complete();
            NextVersion(txn);

            var applied = paths.ToHashSet(StringComparer.Ordinal);
            return new PromoteResult
            {
                Promoted = true,
                FastForward = planner.FastForward,
                Applied = planner.ForkChanges.Where(c => applied.Contains(c.Path)).ToList(),
                Conflicts = planner.Conflicts,
                SnapshotId = pin.Id,
            };
        }));
        Changes.RaiseEverything(targetPath); // a mount drops what the kernel cached
        return promoted;
    }

    /// <summary>
    /// A promoted path p lands at the target's inner path + p. When the target directory sits
    /// deeper or longer in its workspace than the fork's root does in the fork, that can break
    /// the path limits, so every subtree the promote copies is measured first (O(what is
    /// copied), the order of the copy itself); otherwise nothing is walked.
    /// </summary>
    /// <exception cref="PathLimitExceededException">A promoted node would land beyond the limits.</exception>
    private static void EnsurePromotedPathsFit(MetaTxn txn, View fork, View target, string[] forkInner, string[] targetInner, List<string> paths)
    {
        if (SubtreeFit.NoWalkNeeded(forkInner, targetInner)) return;
        // A directory on both sides only takes the fork's attributes: nothing below it is copied
        // with it (its changed entries are paths of their own). Every other path is copied whole.
        var copied = paths.Where(p => !SubtreeRestorer.TakesAttributesOnly(txn, fork, target, p))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var path in copied)
        {
            if (SubtreeRestorer.Ancestors(path).Any(copied.Contains)) continue; // copied with its top-most ancestor
            if (NodeReader.Find(txn, fork, path) is not { } node) continue; // a removal creates nothing
            SubtreeFit.Ensure(txn, fork, node.Ino, node.Record.IsDirectory, [.. targetInner, .. PathRules.Split(path)]);
        }
    }

    private static PromotePlanner PlanOrThrow(MetaTxn txn, string forkPath, string targetPath, CancellationToken cancellationToken)
    {
        var planner = new PromotePlanner(txn, SubtreeView(txn, forkPath, nameof(forkPath)), SubtreeView(txn, targetPath, nameof(targetPath)), cancellationToken);
        if (!planner.Plan()) throw new UnrelatedWorkspacesException(forkPath, targetPath);
        return planner;
    }
}
