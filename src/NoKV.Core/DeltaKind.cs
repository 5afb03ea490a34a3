namespace NoKV;

/// <summary>How a path differs between two subtrees.</summary>
public enum DeltaKind
{
    /// <summary>The path exists only in the second subtree.</summary>
    Added,

    /// <summary>The path exists only in the first subtree.</summary>
    Removed,

    /// <summary>The path exists in both but its content (generation) or kind differs.</summary>
    Modified,
}
