namespace NoKV;

/// <summary>
/// A path the fork and the target both changed since they split, with different results (or a
/// subtree one side replaced while the other changed inside it). A null kind means "absent".
/// </summary>
/// <param name="Path">The path, relative to the fork's and the target's roots.</param>
/// <param name="Base">What the path was when they split.</param>
/// <param name="Target">What it is in the target now ("ours").</param>
/// <param name="Fork">What it is in the fork now ("theirs").</param>
/// <param name="BaseGeneration">The file version when they split (0 for a directory or absent).</param>
/// <param name="TargetGeneration">The target's file version (0 for a directory or absent).</param>
/// <param name="ForkGeneration">The fork's file version (0 for a directory or absent).</param>
public sealed record PromoteConflict(string Path, NodeKind? Base, NodeKind? Target, NodeKind? Fork, long BaseGeneration, long TargetGeneration, long ForkGeneration);
