namespace NoKV;

/// <summary>What a promote does with a path both the fork and the target changed differently.</summary>
public enum PromoteStrategy
{
    /// <summary>Apply nothing and report the conflicts (the default).</summary>
    FailOnConflict,

    /// <summary>Take the fork's version of conflicting paths.</summary>
    PreferFork,

    /// <summary>Keep the target's version of conflicting paths; apply the rest of the fork's changes.</summary>
    PreferTarget,
}
