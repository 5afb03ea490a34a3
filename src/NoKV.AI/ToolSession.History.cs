using System.Text;

namespace NoKV.AI;

internal sealed partial class ToolSession
{
    /// <summary>snapshot: pins the workspace as it is now; the id is one rollback accepts.</summary>
    public string TakeSnapshot()
    {
        var pin = workspace.Snapshot();
        Remember(pin.Id);
        return $"snapshot {pin.Id} taken; rollback with snapshot_id={pin.Id} returns the workspace to this state.";
    }

    /// <summary>rollback: makes the workspace exactly a snapshot these tools took (or the base) again.</summary>
    public string Rollback(long snapshotId)
    {
        var pin = AllowedSnapshot(snapshotId, "roll back to");
        workspace.Rollback(pin);
        return $"rolled back to snapshot {snapshotId}: every change made after it is gone.";
    }

    /// <summary>
    /// diff: the paths that differ between a snapshot (the base by default) and the workspace
    /// now, as "A path" (added), "M path" (modified) and "D path" (deleted); with hunks, the
    /// changed lines of text files as unified diffs.
    /// </summary>
    public async Task<string> DiffAsync(long? snapshotId, bool includeHunks, CancellationToken cancellationToken)
    {
        var pin = snapshotId is { } id
            ? AllowedSnapshot(id, "diff against")
            : options.BaseSnapshot ?? throw new ToolException($"no base snapshot is configured for this workspace; pass snapshot_id (taken: {TakenList()}).");
        var deltas = Store.Diff(pin, workspace.Path, cancellationToken);
        if (deltas.Count == 0) return $"no changes since snapshot {pin.Id}.";

        var text = new BoundedText(options.MaxResultChars);
        var listed = 0;
        foreach (var delta in deltas)
        {
            if (!text.TryAppendLine($"{Letter(delta.Kind)} {delta.Path}")) break;
            listed++;
        }
        if (text.Full || !includeHunks)
            return text.Finish($"listed {listed:N0} of {Plural(deltas.Count, "changed path")}; diff a narrower snapshot to see the rest", text.Full);

        foreach (var delta in deltas)
        {
            var hunks = await HunksAsync(pin, delta, cancellationToken).ConfigureAwait(false);
            if (hunks is null) continue;
            foreach (var line in hunks.Split('\n'))
            {
                if (!text.TryAppendLine(line))
                    return text.Finish("the hunks are longer than the result limit; read the changed files for the rest", truncated: true);
            }
        }
        return text.Finish(null, truncated: false);
    }

    /// <summary>The unified hunks of one changed file, or null when it is not a text file both sides (or too large).</summary>
    private async Task<string?> HunksAsync(SnapshotPin pin, SubtreeDelta delta, CancellationToken cancellationToken)
    {
        var before = delta.Kind == DeltaKind.Added ? "" : await TextOrNullAsync(() => pin.Stat(delta.Path), () => pin.ReadAllBytesAsync(delta.Path, cancellationToken)).ConfigureAwait(false);
        var after = delta.Kind == DeltaKind.Removed ? "" : await TextOrNullAsync(() => workspace.Stat(delta.Path), () => workspace.ReadAllBytesAsync(delta.Path, cancellationToken)).ConfigureAwait(false);
        if (before is null || after is null) return null;
        var oldName = delta.Kind == DeltaKind.Added ? "/dev/null" : "a" + delta.Path;
        var newName = delta.Kind == DeltaKind.Removed ? "/dev/null" : "b" + delta.Path;
        var hunks = LineDiff.Unified(before, after);
        return hunks.Length == 0 ? null : $"--- {oldName}\n+++ {newName}\n{hunks.TrimEnd('\n')}";
    }

    /// <summary>A file's text, or null for a directory, link, binary, non-UTF-8 or too large file.</summary>
    private async Task<string?> TextOrNullAsync(Func<NodeInfo> stat, Func<Task<byte[]>> read)
    {
        var node = stat();
        if (node.Kind != NodeKind.File || node.Length > options.MaxHunkFileBytes) return null;
        var bytes = await read().ConfigureAwait(false);
        if (Array.IndexOf(bytes, (byte)0) >= 0) return null;
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { return null; }
    }

    private SnapshotPin AllowedSnapshot(long snapshotId, string action)
    {
        if (options.BaseSnapshot is { } basePin && basePin.Id == snapshotId) return basePin;
        if (!SnapshotsTaken().Contains(snapshotId))
            throw new ToolException($"snapshot {snapshotId} was not taken by these tools, so they will not {action} it; snapshots you can use: {TakenList()}.");
        return Store.GetSnapshot(snapshotId);
    }

    private string TakenList()
    {
        var ids = SnapshotsTaken().Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (options.BaseSnapshot is { } basePin) ids.Insert(0, $"{basePin.Id} (the base)");
        return ids.Count == 0 ? "none yet (take one with the snapshot tool)" : string.Join(", ", ids);
    }

    private static char Letter(DeltaKind kind) => kind switch
    {
        DeltaKind.Added => 'A',
        DeltaKind.Removed => 'D',
        _ => 'M',
    };
}
