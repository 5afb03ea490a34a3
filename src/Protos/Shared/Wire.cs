namespace NoKV.Protocol;

/// <summary>
/// The one mapping between NoKV's records and the wire messages, compiled into both the server
/// and the client so the two ends cannot disagree. Times travel as UTC ticks plus the offset, so
/// a value round-trips exactly.
/// </summary>
internal static class Wire
{
    public static Node ToWire(NodeInfo node)
    {
        var wire = new Node
        {
            Name = node.Name,
            Path = node.Path,
            Kind = (int)node.Kind,
            Length = node.Length,
            Generation = node.Generation,
            Inode = node.Inode,
            LastWriteTicks = node.LastWriteTime.UtcTicks,
            LastWriteOffsetMinutes = (int)node.LastWriteTime.Offset.TotalMinutes,
            ChangeTicks = node.ChangeTime.UtcTicks,
            ChangeOffsetMinutes = (int)node.ChangeTime.Offset.TotalMinutes,
            Mode = (int)node.Mode,
            OwnerId = node.OwnerId,
            GroupId = node.GroupId,
        };
        if (node.LinkTarget is { } target) wire.LinkTarget = target;
        return wire;
    }

    public static NodeInfo FromWire(Node wire) => new(
        wire.Name, wire.Path, (NodeKind)wire.Kind, wire.Length, wire.Generation, wire.Inode,
        Time(wire.LastWriteTicks, wire.LastWriteOffsetMinutes), Time(wire.ChangeTicks, wire.ChangeOffsetMinutes),
        (UnixFileMode)wire.Mode, wire.OwnerId, wire.GroupId, wire.HasLinkTarget ? wire.LinkTarget : null);

    public static DateTimeOffset Time(long utcTicks, int offsetMinutes) =>
        new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offsetMinutes));

    public static WorkspaceReply ToWire(WorkspaceInfo info)
    {
        var wire = new WorkspaceReply
        {
            Path = info.Path,
            RootInode = info.RootInode,
            Id = info.Id,
            CreatedTicks = info.CreatedUtc.Ticks,
            ReadOnly = info.IsReadOnly,
        };
        if (info.ExpiresUtc is { } expires) wire.ExpiresTicks = expires.Ticks;
        return wire;
    }

    public static WorkspaceInfo FromWire(WorkspaceReply wire) =>
        new(wire.Path, wire.RootInode, wire.Id, new DateTime(wire.CreatedTicks, DateTimeKind.Utc))
        {
            IsReadOnly = wire.ReadOnly,
            ExpiresUtc = wire.HasExpiresTicks ? new DateTime(wire.ExpiresTicks, DateTimeKind.Utc) : null,
        };

    /// <summary>A time-to-live on the wire: ticks when there is one (zero and negative ones too, so the owner refuses them as it would in-process).</summary>
    public static TimeSpan? TtlFromWire(bool has, long ticks) => has ? TimeSpan.FromTicks(ticks) : null;

    public static Delta ToWire(SubtreeDelta delta) => new() { Path = delta.Path, Kind = (int)delta.Kind };

    public static SubtreeDelta FromWire(Delta wire) => new(wire.Path, (DeltaKind)wire.Kind);

    public static GcReply ToWire(GcReport report)
    {
        var wire = new GcReply
        {
            Mode = (int)report.Mode,
            BlocksDeleted = report.BlocksDeleted,
            BytesReclaimed = report.BytesReclaimed,
            GenerationsCollected = report.GenerationsCollected,
            GenerationsInUse = report.GenerationsInUse,
            LayersCollected = report.LayersCollected,
            LayersMerged = report.LayersMerged,
            OrphansDeleted = report.OrphansDeleted,
            ShadowedVersionsCollected = report.ShadowedVersionsCollected,
            DurationTicks = report.Duration.Ticks,
            ExpiredWorkspaces = report.ExpiredWorkspaces,
            ExpiredSnapshots = report.ExpiredSnapshots,
            ExpiryDeferred = report.ExpiryDeferred,
        };
        if (report.BlocksBlockedBySnapshots is { } blocked) wire.BlocksBlockedBySnapshots = blocked;
        return wire;
    }

    public static GcReport FromWire(GcReply wire) => new()
    {
        Mode = (GcMode)wire.Mode,
        BlocksDeleted = wire.BlocksDeleted,
        BytesReclaimed = wire.BytesReclaimed,
        GenerationsCollected = wire.GenerationsCollected,
        GenerationsInUse = wire.GenerationsInUse,
        LayersCollected = wire.LayersCollected,
        LayersMerged = wire.LayersMerged,
        OrphansDeleted = wire.OrphansDeleted,
        ShadowedVersionsCollected = wire.ShadowedVersionsCollected,
        BlocksBlockedBySnapshots = wire.HasBlocksBlockedBySnapshots ? wire.BlocksBlockedBySnapshots : null,
        Duration = TimeSpan.FromTicks(wire.DurationTicks),
        ExpiredWorkspaces = wire.ExpiredWorkspaces,
        ExpiredSnapshots = wire.ExpiredSnapshots,
        ExpiryDeferred = wire.ExpiryDeferred,
    };

    public static VerifyReply ToWire(VerifyReport report)
    {
        var wire = new VerifyReply
        {
            BlocksChecked = report.BlocksChecked,
            GenerationsChecked = report.GenerationsChecked,
            ViewsChecked = report.ViewsChecked,
            DurationTicks = report.Duration.Ticks,
        };
        foreach (var problem in report.Problems)
        {
            var p = new Problem { Kind = (int)problem.Kind, Description = problem.Description };
            if (problem.BlockKey is { } key) p.BlockKey = key;
            if (problem.Path is { } path) p.Path = path;
            if (problem.Where is { } where) p.Where = where;
            wire.Problems.Add(p);
        }
        return wire;
    }

    public static VerifyReport FromWire(VerifyReply wire) => new()
    {
        Problems = wire.Problems.Select(p => new StoreProblem((StoreProblemKind)p.Kind, p.Description)
        {
            BlockKey = p.HasBlockKey ? p.BlockKey : null,
            Path = p.HasPath ? p.Path : null,
            Where = p.HasWhere ? p.Where : null,
        }).ToList(),
        BlocksChecked = wire.BlocksChecked,
        GenerationsChecked = wire.GenerationsChecked,
        ViewsChecked = wire.ViewsChecked,
        Duration = TimeSpan.FromTicks(wire.DurationTicks),
    };

    public static PromoteReply ToWire(PromoteResult result)
    {
        var wire = new PromoteReply { Promoted = result.Promoted, FastForward = result.FastForward, SnapshotId = result.SnapshotId };
        wire.Applied.AddRange(result.Applied.Select(ToWire));
        foreach (var c in result.Conflicts)
        {
            var conflict = new Conflict { Path = c.Path, BaseGeneration = c.BaseGeneration, TargetGeneration = c.TargetGeneration, ForkGeneration = c.ForkGeneration };
            if (c.Base is { } b) conflict.Base = (int)b;
            if (c.Target is { } t) conflict.Target = (int)t;
            if (c.Fork is { } f) conflict.Fork = (int)f;
            wire.Conflicts.Add(conflict);
        }
        return wire;
    }

    public static PromoteResult FromWire(PromoteReply wire) => new()
    {
        Promoted = wire.Promoted,
        FastForward = wire.FastForward,
        SnapshotId = wire.SnapshotId,
        Applied = wire.Applied.Select(FromWire).ToList(),
        Conflicts = wire.Conflicts.Select(c => new PromoteConflict(c.Path,
            c.HasBase ? (NodeKind)c.Base : null, c.HasTarget ? (NodeKind)c.Target : null, c.HasFork ? (NodeKind)c.Fork : null,
            c.BaseGeneration, c.TargetGeneration, c.ForkGeneration)).ToList(),
    };
}
