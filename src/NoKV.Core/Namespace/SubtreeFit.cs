using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Namespace;

/// <summary>
/// Checks that a directory's subtree, placed at a new path inside a workspace, keeps every path
/// below it within the limits (<see cref="PathRules.MaxDepth"/> segments,
/// <see cref="PathRules.MaxPathBytes"/> bytes). Nothing records how deep a subtree goes, so this
/// walks it: O(entries in the subtree), stopping at the first node over a limit. Callers skip
/// the walk when the new place is no deeper and no longer than a place the subtree already fits
/// (every path below it obeyed the limits there, so it does at the new place too).
/// </summary>
internal static class SubtreeFit
{
    /// <summary>
    /// True when placing a subtree that fits below <paramref name="from"/> at <paramref name="to"/>
    /// cannot break a limit: the new path is no deeper and no longer.
    /// </summary>
    public static bool NoWalkNeeded(ReadOnlySpan<string> from, ReadOnlySpan<string> to) =>
        to.Length <= from.Length && PathRules.PathBytes(to) <= PathRules.PathBytes(from);

    /// <summary>
    /// Throws <see cref="PathLimitExceededException"/> naming the first path that would break a
    /// limit once the node <paramref name="ino"/> (as <paramref name="view"/> sees it) sits at
    /// <paramref name="placedAt"/> inside a workspace: that path itself, or, for a directory, a
    /// path below it.
    /// </summary>
    public static void Ensure(MetaTxn txn, View view, long ino, bool isDirectory, string[] placedAt)
    {
        var names = new List<string>(placedAt);
        var bytes = PathRules.PathBytes(placedAt);
        ThrowIfBroken(names, bytes);
        if (isDirectory) Walk(txn, view, ino, names, bytes);
    }

    private static void Walk(MetaTxn txn, View view, long directory, List<string> names, int bytes)
    {
        foreach (var (nameBytes, entry) in NodeReader.Children(txn, view, directory))
        {
            var name = System.Text.Encoding.UTF8.GetString(nameBytes);
            names.Add(name);
            var childBytes = bytes + nameBytes.Length + 1;
            ThrowIfBroken(names, childBytes);
            // Recursion is bounded: a child over the depth limit has already thrown.
            if (entry.Kind == RecordKind.Directory) Walk(txn, view, entry.Child, names, childBytes);
            names.RemoveAt(names.Count - 1);
        }
    }

    private static void ThrowIfBroken(List<string> names, int bytes)
    {
        if (PathRules.LimitBroken(names.Count, bytes) is { } reason) throw new PathLimitExceededException(PathRules.Join(names), reason);
    }
}
