namespace NoKV;

/// <summary>One path that differs between two subtrees.</summary>
/// <param name="Path">The path relative to each subtree's root, starting with '/'.</param>
/// <param name="Kind">Added, Removed or Modified.</param>
public sealed record SubtreeDelta(string Path, DeltaKind Kind);
