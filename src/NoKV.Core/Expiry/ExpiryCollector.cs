using System.Text;
using NoKV.Lmdb;

namespace NoKV.Expiry;

/// <summary>
/// The first step of a GC run: drops the workspaces and releases the snapshots whose expiry has
/// passed, each in its own transaction that checks the expiry again (a renewal that won the race
/// keeps it). A dropped clone's own snapshot of its source (its origin) goes with it, so renewing
/// the clone renews its rollback point. A workspace or snapshot in use in this process
/// (<see cref="WorkspaceHolds"/>: write sessions, imports, mounts) is left for a later run. Clones
/// never depend on a snapshot's record, so releasing an expired one cannot break them. Cost: one
/// scan of the workspace and snapshot records, O(workspaces + snapshots).
/// </summary>
internal sealed class ExpiryCollector(WorkspaceStore store)
{
    public long Workspaces { get; private set; }
    public long Snapshots { get; private set; }
    public long Deferred { get; private set; }

    public void Run(CancellationToken cancellationToken)
    {
        var now = store.Clock.GetUtcNow().UtcDateTime.Ticks;
        var (workspaces, pins) = store.Read(txn => (
            txn.Scan(Db.Workspaces, []).Select(e => (Path: Encoding.UTF8.GetString(e.Key), Record: WorkspaceRecord.Decode(e.Value)))
                .Where(w => ExpiryRules.IsDue(w.Record.ExpiresUtcTicks, now)).ToList(),
            txn.Scan(Db.Pins, []).Select(e => (Id: Keys.ReadU64(e.Key), Record: PinRecord.Decode(e.Value)))
                .Where(p => ExpiryRules.IsDue(p.Record.ExpiresUtcTicks, now)).ToList()));

        foreach (var (path, due) in workspaces)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var releasedOrigin = false;
            var outcome = store.Holds.DropUnlessHeld(due.Id, () => store.Write(txn =>
            {
                // Still the same workspace, still expired: a renewal or a delete may have come first.
                if (WorkspaceStore.TryGetWorkspace(txn, path) is not { } ws || ws.Id != due.Id || !ExpiryRules.IsDue(ws.ExpiresUtcTicks, now)) return false;
                WorkspaceStore.RemoveWorkspace(txn, path, ws);
                releasedOrigin = ReleaseOrigin(txn, ws.OriginPin, now);
                return true;
            }));
            if (outcome == DropOutcome.Dropped)
            {
                Workspaces++;
                if (releasedOrigin) Snapshots++;
                Logging.Log.WorkspaceExpired(store.Logger, path, new DateTime(due.ExpiresUtcTicks, DateTimeKind.Utc));
            }
            else if (outcome == DropOutcome.Held)
            {
                Deferred++;
                Logging.Log.ExpiryDeferred(store.Logger, path);
            }
        }

        foreach (var (id, due) in pins)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var released = store.Holds.ReleaseSnapshotUnlessHeld(id, () => store.Write(txn =>
            {
                if (txn.Get(Db.Pins, Keys.U64(id)) is not { } value) return false;
                var pin = PinRecord.Decode(value);
                if (!ExpiryRules.IsDue(pin.ExpiresUtcTicks, now)) return false;
                WorkspaceStore.RemovePin(txn, id, pin);
                return true;
            }));
            if (released != DropOutcome.Dropped) continue;
            Snapshots++;
            Logging.Log.SnapshotExpired(store.Logger, id, due.Root, new DateTime(due.ExpiresUtcTicks, DateTimeKind.Utc));
        }
    }

    /// <summary>
    /// Releases a dropped clone's origin snapshot, if the caller has not released it already. One
    /// that is in use (a mount of it) is given the expiry instead, so the first GC after it is let
    /// go releases it.
    /// </summary>
    private bool ReleaseOrigin(MetaTxn txn, long pinId, long now)
    {
        if (pinId == 0 || txn.Get(Db.Pins, Keys.U64(pinId)) is not { } value) return false;
        var pin = PinRecord.Decode(value);
        if (store.Holds.IsSnapshotHeld(pinId))
        {
            txn.Put(Db.Pins, Keys.U64(pinId), (pin with { ExpiresUtcTicks = now }).Encode());
            return false;
        }
        WorkspaceStore.RemovePin(txn, pinId, pin);
        return true;
    }
}
