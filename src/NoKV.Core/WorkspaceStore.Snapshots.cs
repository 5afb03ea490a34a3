using NoKV.Diagnostics;
using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV;

public sealed partial class WorkspaceStore
{
    /// <summary>
    /// Pins the current state of a workspace, or of a directory inside one ("/base/src"), as a
    /// read-only snapshot that keeps its blocks alive until <see cref="ReleaseSnapshot"/>. O(1).
    /// </summary>
    /// <exception cref="WorkspaceNotFoundException">No workspace holds the path.</exception>
    /// <exception cref="PathNotFoundException">The directory does not exist.</exception>
    /// <exception cref="NotADirectoryException">The path names a file.</exception>
    public SnapshotPin Snapshot(string path) => Snapshot(path, expectedWorkspaceId: 0);

    /// <inheritdoc cref="Snapshot(string)"/>
    /// <param name="path">The workspace, or a directory inside one.</param>
    /// <param name="options">The snapshot's settings (a time-to-live); null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">The time-to-live is out of range.</exception>
    public SnapshotPin Snapshot(string path, SnapshotOptions? options) => Snapshot(path, expectedWorkspaceId: 0, options);

    /// <summary>A snapshot taken through a <see cref="Workspace"/> handle: only of the workspace the handle was opened on.</summary>
    internal SnapshotPin Snapshot(string path, long expectedWorkspaceId, SnapshotOptions? options = null)
    {
        using var op = Telemetry.Start(StoreOperation.Snapshot, path);
        ArgumentNullException.ThrowIfNull(path);
        var expires = Expiry.ExpiryRules.TicksAfter(options?.TimeToLive, Clock, nameof(options));
        return op.Complete(WriteDurably(txn =>
        {
            var (wsPath, ws, inner) = FindWorkspace(txn, path, nameof(path), expectedWorkspaceId);
            return CreatePin(txn, wsPath, ws, inner, expires);
        }));
    }

    /// <summary>The snapshot with the given id.</summary>
    /// <exception cref="SnapshotNotFoundException">It does not exist or was released.</exception>
    public SnapshotPin GetSnapshot(long snapshotId) => Read(txn => ToPin(snapshotId, GetPin(txn, snapshotId)));

    /// <summary>The unreleased snapshots taken of a workspace (or of directories inside it), oldest first.</summary>
    /// <exception cref="WorkspaceNotFoundException">No workspace exists at the path.</exception>
    public IReadOnlyList<SnapshotPin> ListSnapshots(string workspacePath)
    {
        var normalized = NormalizeWorkspacePath(workspacePath, nameof(workspacePath));
        return Read(txn =>
        {
            var ws = GetWorkspace(txn, normalized);
            return txn.Scan(Db.PinsByWorkspace, Keys.U64(ws.Id))
                .Select(entry => Keys.ReadU64(entry.Key, 8))
                .Select(id => ToPin(id, GetPin(txn, id)))
                .ToList();
        });
    }

    /// <summary>Every unreleased snapshot in the store, including those of deleted workspaces, oldest first.</summary>
    public IReadOnlyList<SnapshotPin> ListSnapshots() => Read(txn =>
        txn.Scan(Db.Pins, []).Select(entry => ToPin(Keys.ReadU64(entry.Key), PinRecord.Decode(entry.Value))).ToList());

    /// <summary>Releases a snapshot: it can no longer be read, and what only it kept alive becomes garbage.</summary>
    /// <exception cref="SnapshotNotFoundException">It does not exist or was already released.</exception>
    public void ReleaseSnapshot(long snapshotId)
    {
        using var op = Telemetry.Start(StoreOperation.ReleaseSnapshot).SetTag("nokv.snapshot.id", snapshotId);
        op.Complete(Write(txn =>
        {
            RemovePin(txn, snapshotId, GetPin(txn, snapshotId));
            return true;
        }));
    }

    /// <summary>
    /// Sets when a snapshot expires (renewing or shortening it), or clears it with null: it then
    /// lives until released. A time already past releases it at the next GC.
    /// </summary>
    /// <exception cref="SnapshotNotFoundException">It does not exist or was already released.</exception>
    public void SetSnapshotExpiry(long snapshotId, DateTimeOffset? expiresUtc)
    {
        var ticks = Expiry.ExpiryRules.TicksAt(expiresUtc);
        Write(txn =>
        {
            var pin = GetPin(txn, snapshotId);
            txn.Put(Db.Pins, Keys.U64(snapshotId), (pin with { ExpiresUtcTicks = ticks }).Encode());
            return true;
        });
    }

    /// <summary>Releases a pin: what only it kept alive becomes garbage.</summary>
    internal static void RemovePin(MetaTxn txn, long snapshotId, PinRecord pin)
    {
        txn.Delete(Db.Pins, Keys.U64(snapshotId));
        txn.Delete(Db.PinsByWorkspace, Keys.Pair(pin.WorkspaceId, snapshotId));
        var layer = LayerTable.Get(txn, pin.Layer);
        LayerTable.Put(txn, pin.Layer, layer with { PinCount = layer.PinCount - 1 });
        LayerTable.MarkForGc(txn, pin.Layer);
        NextVersion(txn);
    }

    internal SnapshotPin CreatePin(MetaTxn txn, string wsPath, WorkspaceRecord ws, string[] inner, long expiresUtcTicks = 0)
    {
        var frozen = FreezeHead(txn, wsPath, ref ws);
        var view = LayerTable.ViewOf(txn, frozen, ws.RootInode);
        var rootPath = Paths.PathRules.Join([.. Paths.PathRules.Split(wsPath), .. inner]);
        var rootInode = Engine.NamespaceTree.ResolveDirectory(txn, view, inner, rootPath);

        var id = Counters.Next(txn, Counters.Pin);
        var record = new PinRecord(frozen, rootInode, ws.Id, NextVersion(txn), NowTicks, rootPath, wsPath, expiresUtcTicks);
        txn.Put(Db.Pins, Keys.U64(id), record.Encode());
        txn.Put(Db.PinsByWorkspace, Keys.Pair(ws.Id, id), []);
        var layer = LayerTable.Get(txn, frozen);
        LayerTable.Put(txn, frozen, layer with { PinCount = layer.PinCount + 1 });
        return ToPin(id, record);
    }

    /// <summary>
    /// Freezes a workspace's head and gives the workspace a fresh child head; returns the frozen
    /// layer. If the head holds nothing yet, its (already frozen) parent shows the same state,
    /// so that is returned and no layer is added: 100 snapshots of an idle workspace cost no depth.
    /// </summary>
    internal static long FreezeHead(MetaTxn txn, string wsPath, ref WorkspaceRecord ws)
    {
        var head = LayerTable.Get(txn, ws.HeadLayer);
        if (head.RecordCount == 0 && head.Parent != 0) return head.Parent;

        LayerTable.Put(txn, ws.HeadLayer, head with { HeadOf = 0 });
        var newHead = LayerTable.Create(txn, ws.HeadLayer, ws.Id);
        var frozen = ws.HeadLayer;
        ws = ws with { HeadLayer = newHead };
        txn.Put(Db.Workspaces, PathKey(wsPath), ws.Encode());
        return frozen;
    }

    internal static PinRecord GetPin(MetaTxn txn, long snapshotId)
    {
        var value = txn.Get(Db.Pins, Keys.U64(snapshotId)) ?? throw new SnapshotNotFoundException(snapshotId);
        return PinRecord.Decode(value);
    }

    private SnapshotPin ToPin(long id, PinRecord record) => new(this, id, record);
}
