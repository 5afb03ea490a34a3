namespace NoKV;

/// <summary>How a path differs between two subtrees.</summary>
public enum DeltaKind
{
    /// <summary>The path exists only in the second subtree.</summary>
    Added,

    /// <summary>The path exists only in the first subtree.</summary>
    Removed,

    /// <summary>
    /// The path exists in both but differs in kind, content (a file's generation: a rewrite of
    /// equal bytes counts), mode, owner, group or link target. A different modification or
    /// change time alone is not a modification; a directory is Modified only by its own
    /// attributes (its entries are paths of their own).
    /// </summary>
    Modified,
}
