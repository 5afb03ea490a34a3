using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Engine;

/// <summary>
/// The workspace an operation acts on: its path, and the id a handle was opened on, so a handle
/// never acts on a different workspace created later at the same path (0 accepts whichever is there).
/// </summary>
internal readonly record struct WorkspaceRef(string Path, long Id)
{
    /// <exception cref="WorkspaceNotFoundException">No workspace, or a different one, is at the path.</exception>
    public WorkspaceRecord Record(MetaTxn txn) => WorkspaceStore.GetWorkspace(txn, Path, Id);

    /// <summary>What the workspace's head shows now.</summary>
    public View HeadView(MetaTxn txn) => WorkspaceStore.HeadView(txn, Record(txn));

    /// <summary>The workspace, checked to accept writes.</summary>
    /// <exception cref="WorkspaceNotFoundException">No workspace, or a different one, is at the path.</exception>
    /// <exception cref="ReadOnlyWorkspaceException">The workspace is read-only.</exception>
    public WorkspaceRecord WritableRecord(MetaTxn txn) => WorkspaceStore.Writable(Record(txn), Path);

    /// <summary>What the workspace's head shows now, checked to accept writes: a write session fails before it uploads a byte.</summary>
    /// <exception cref="ReadOnlyWorkspaceException">The workspace is read-only.</exception>
    public View WritableHeadView(MetaTxn txn) => WorkspaceStore.HeadView(txn, WritableRecord(txn));
}
