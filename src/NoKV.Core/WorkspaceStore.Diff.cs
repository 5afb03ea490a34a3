using NoKV.Diagnostics;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Namespace;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    /// <summary>
    /// The paths that differ between two subtrees (each a workspace root or a directory inside
    /// one), relative to each subtree's root and sorted: Added (only in <paramref name="b"/>),
    /// Removed (only in <paramref name="a"/>), Modified (a file rewritten, even with equal bytes,
    /// or a path whose kind changed). Directories count as paths; an added or removed directory
    /// lists its whole subtree. For a clone and its source this costs O(changes); for unrelated
    /// trees it walks both, and <paramref name="cancellationToken"/> can stop it.
    /// </summary>
    public IReadOnlyList<SubtreeDelta> Diff(string a, string b, CancellationToken cancellationToken = default)
    {
        using var op = Telemetry.Start(StoreOperation.Diff, a);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return op.Complete(Read(txn => new DiffEngine(txn, SubtreeView(txn, a, nameof(a)), SubtreeView(txn, b, nameof(b)), cancellationToken).Run()));
    }

    /// <summary>The paths that differ between a snapshot and a subtree; see <see cref="Diff(string, string, CancellationToken)"/>.</summary>
    public IReadOnlyList<SubtreeDelta> Diff(SnapshotPin a, string b, CancellationToken cancellationToken = default)
    {
        using var op = Telemetry.Start(StoreOperation.Diff, a?.Root);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return op.Complete(Read(txn => new DiffEngine(txn, a.ViewOf(txn), SubtreeView(txn, b, nameof(b)), cancellationToken).Run()));
    }

    /// <summary>The paths that differ between a subtree and a snapshot; see <see cref="Diff(string, string, CancellationToken)"/>.</summary>
    public IReadOnlyList<SubtreeDelta> Diff(string a, SnapshotPin b, CancellationToken cancellationToken = default)
    {
        using var op = Telemetry.Start(StoreOperation.Diff, a);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return op.Complete(Read(txn => new DiffEngine(txn, SubtreeView(txn, a, nameof(a)), b.ViewOf(txn), cancellationToken).Run()));
    }

    /// <summary>The paths that differ between two snapshots; see <see cref="Diff(string, string, CancellationToken)"/>.</summary>
    public IReadOnlyList<SubtreeDelta> Diff(SnapshotPin a, SnapshotPin b, CancellationToken cancellationToken = default)
    {
        using var op = Telemetry.Start(StoreOperation.Diff, a?.Root);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return op.Complete(Read(txn => new DiffEngine(txn, a.ViewOf(txn), b.ViewOf(txn), cancellationToken).Run()));
    }

    /// <summary>The live view of a workspace root or of a directory inside one.</summary>
    private static View SubtreeView(MetaTxn txn, string storePath, string paramName)
    {
        var (_, ws, inner) = FindWorkspace(txn, storePath, paramName);
        var view = HeadView(txn, ws);
        if (inner.Length == 0) return view;
        return view.WithRoot(Engine.NamespaceTree.ResolveDirectory(txn, view, inner, storePath));
    }
}
