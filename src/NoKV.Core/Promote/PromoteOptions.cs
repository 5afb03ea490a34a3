namespace NoKV;

/// <summary>Options for <see cref="WorkspaceStore.Promote"/>.</summary>
public sealed class PromoteOptions
{
    /// <summary>What to do with conflicting paths (default: apply nothing and report them).</summary>
    public PromoteStrategy Strategy { get; set; } = PromoteStrategy.FailOnConflict;
}
