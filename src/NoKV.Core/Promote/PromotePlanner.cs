using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Namespace;
using NoKV.Paths;

namespace NoKV.Promote;

/// <summary>
/// Three-way, path-level merge plan. The merge base is the fork's and the target's common
/// ancestor layer (where the fork split off), seen from their shared root. A path the fork
/// changed is applied unless the target changed it too with a different result, replaced a
/// directory above it, or changed something inside a subtree the fork replaces: those are
/// conflicts. Both sides adding a directory at the same path is no conflict; the entries inside
/// are judged one by one. A change of a node's mode, owner or link target is a change like one of
/// its bytes: both sides changing the same node differently (bytes on one side and mode on the
/// other included) is a conflict. A directory's own attributes merge apart from its entries.
/// </summary>
internal sealed class PromotePlanner(MetaTxn txn, View fork, View target, CancellationToken cancellationToken = default)
{
    /// <summary>The fork's view the plan was made from (the source of what gets applied).</summary>
    public View Fork => fork;

    /// <summary>The target's view the plan was made from.</summary>
    public View Target => target;

    public List<SubtreeDelta> ForkChanges { get; } = [];
    public List<PromoteConflict> Conflicts { get; } = [];
    public List<string> Apply { get; } = [];
    public List<string> ApplyIfPreferringFork { get; } = [];
    public bool FastForward { get; private set; }

    /// <summary>Returns false when the two trees share no history.</summary>
    public bool Plan()
    {
        if (fork.RootInode != target.RootInode) return false;
        var common = fork.Chain.FirstOrDefault(target.Contains);
        if (common == 0) return false;
        var baseView = new View(target.Chain.SkipWhile(l => l != common).ToArray(), fork.RootInode);

        ForkChanges.AddRange(new DiffEngine(txn, baseView, fork, cancellationToken).Run());
        var targetChanges = new DiffEngine(txn, baseView, target, cancellationToken).Run().ToDictionary(d => d.Path, d => d.Kind, StringComparer.Ordinal);
        FastForward = targetChanges.Count == 0;

        foreach (var change in ForkChanges)
        {
            var path = change.Path;
            var theirs = Node(fork, path);
            var ours = Node(target, path);
            bool conflict;
            if (targetChanges.ContainsKey(path))
            {
                if (SameResult(theirs, ours)) continue; // both made the same change: nothing to do
                conflict = true;
            }
            else
            {
                var baseNode = Node(baseView, path);
                var forkReplacesSubtree = baseNode is { Record.IsDirectory: true } && theirs is not { Record.IsDirectory: true };
                conflict = (forkReplacesSubtree && targetChanges.Keys.Any(q => q.StartsWith(path + "/", StringComparison.Ordinal)))
                    || SubtreeRestorer.Ancestors(path).Any(a => targetChanges.ContainsKey(a) && Node(target, a) is not { Record.IsDirectory: true });
            }

            if (conflict)
            {
                var baseNode = Node(baseView, path);
                Conflicts.Add(new PromoteConflict(path, KindOf(baseNode), KindOf(ours), KindOf(theirs), GenOf(baseNode), GenOf(ours), GenOf(theirs)));
                ApplyIfPreferringFork.Add(path);
            }
            else
            {
                Apply.Add(path);
            }
        }
        return true;
    }

    /// <summary>The paths to write for a strategy (all of them, when preferring the fork).</summary>
    public IEnumerable<string> PathsFor(PromoteStrategy strategy)
    {
        if (strategy == PromoteStrategy.PreferFork)
        {
            // A conflicting path may sit in a directory the target deleted or replaced: the
            // fork wins there too, so its version of that ancestor comes along.
            var paths = Apply.Concat(ApplyIfPreferringFork).ToList();
            var ancestors = ApplyIfPreferringFork.SelectMany(SubtreeRestorer.Ancestors)
                .Where(a => Node(target, a) is not { Record.IsDirectory: true } && Node(fork, a) is { Record.IsDirectory: true });
            return paths.Concat(ancestors).Distinct(StringComparer.Ordinal);
        }
        // Preferring the target: skip conflicts, and anything whose subtree holds one, since
        // writing it whole would overwrite the target's side. A directory on both sides is not
        // written whole (it only takes the fork's attributes), so it still applies.
        var conflicted = Conflicts.Select(c => c.Path).ToList();
        return Apply.Where(p => IsDirectoryOnBothSides(p) || !conflicted.Any(c => c.StartsWith(p + "/", StringComparison.Ordinal)));
    }

    private (long Ino, InodeRecord Record)? Node(View view, string path) => NodeReader.Find(txn, view, path);

    private bool IsDirectoryOnBothSides(string path) => SubtreeRestorer.TakesAttributesOnly(txn, fork, target, path);

    /// <summary>
    /// Both sides hold the same thing at a path: the same kind with the same mode, owner and
    /// link target, and for a file the same version. A directory's entries are paths of their own.
    /// </summary>
    private static bool SameResult((long Ino, InodeRecord Record)? a, (long Ino, InodeRecord Record)? b) => (a, b) switch
    {
        (null, null) => true,
        ({ } x, { } y) => x.Record.SameAttributes(y.Record) && (!x.Record.IsFile || x.Record.Generation == y.Record.Generation),
        _ => false,
    };

    private static NodeKind? KindOf((long Ino, InodeRecord Record)? node) => node is null ? null : Engine.NodeAttributes.KindOf(node.Value.Record.Kind);

    private static long GenOf((long Ino, InodeRecord Record)? node) => node is { Record.IsFile: true } n ? n.Record.Generation : 0;
}
