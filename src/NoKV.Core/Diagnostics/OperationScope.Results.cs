namespace NoKV.Diagnostics;

/// <summary>
/// Completes an operation's scope with its result, tagging the span with what the result counts,
/// so each public operation needs only <c>return op.Complete(result)</c> at its end.
/// </summary>
internal sealed partial class OperationScope
{
    public CloneHandle Complete(CloneHandle clone)
    {
        SetTag("nokv.target.path", clone.Root).SetTag("nokv.snapshot.id", clone.SnapshotId);
        return Complete<CloneHandle>(clone);
    }

    public SnapshotPin Complete(SnapshotPin pin)
    {
        SetTag("nokv.snapshot.id", pin.Id);
        return Complete<SnapshotPin>(pin);
    }

    public IReadOnlyList<SubtreeDelta> Complete(IReadOnlyList<SubtreeDelta> changes)
    {
        SetTag("nokv.diff.changes", changes.Count);
        return Complete<IReadOnlyList<SubtreeDelta>>(changes);
    }

    public PromoteResult Complete(PromoteResult result)
    {
        SetTag("nokv.promote.promoted", result.Promoted)
            .SetTag("nokv.promote.fast_forward", result.FastForward)
            .SetTag("nokv.promote.applied", result.Applied.Count)
            .SetTag("nokv.promote.conflicts", result.Conflicts.Count);
        return Complete<PromoteResult>(result);
    }

    public ImportResult Complete(ImportResult result)
    {
        SetTag("nokv.import.files", result.Files)
            .SetTag("nokv.import.directories", result.Directories)
            .SetTag("nokv.import.bytes", result.Bytes)
            .SetTag("nokv.import.skipped", result.Skipped.Count);
        return Complete<ImportResult>(result);
    }

    public VerifyReport Complete(VerifyReport report)
    {
        SetTag("nokv.verify.problems", report.Problems.Count)
            .SetTag("nokv.verify.blocks_checked", report.BlocksChecked);
        return Complete<VerifyReport>(report);
    }
}
