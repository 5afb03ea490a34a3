using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>How many generated cases the attribute properties run: NOKV_ATTRIBUTE_PROPERTY_COUNT, or each property's default.</summary>
internal static class AttributePropertySupport
{
    /// <summary>
    /// Edits per list: every edit is a durable metadata commit, and fifteen already reach every
    /// combination of kind and attribute on the few paths the properties use.
    /// </summary>
    public static Gen<T[]> Few<T>(Gen<T> edits) => from length in Gen.Choose(0, 15) from list in edits.ArrayOf(length) select list;

    public static Config Config(int defaultCount)
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_ATTRIBUTE_PROPERTY_COUNT"), out var c) ? c : defaultCount;
        return FsCheck.Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true);
    }

    /// <summary>Every node of a view with every field NodeInfo has, times as exact UTC ticks, one line each.</summary>
    public static List<string> Fingerprint(Func<string, IReadOnlyList<NodeInfo>> list, Func<string, NodeInfo> stat)
    {
        static string Line(NodeInfo n) =>
            $"{n.Path} {n.Kind} len={n.Length} gen={n.Generation} ino={n.Inode} mtime={n.LastWriteTime.UtcTicks} ctime={n.ChangeTime.UtcTicks} " +
            $"mode={Convert.ToString((int)n.Mode, 8)} uid={n.OwnerId} gid={n.GroupId} -> {n.LinkTarget}";
        var lines = new List<string> { Line(stat("/")) };
        var pending = new Stack<string>(["/"]);
        while (pending.TryPop(out var dir))
        {
            foreach (var node in list(dir))
            {
                lines.Add(Line(node));
                if (node.Kind == NodeKind.Directory) pending.Push(node.Path);
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>Every workspace and snapshot of a store, fingerprinted.</summary>
    public static List<string> Fingerprint(WorkspaceStore store)
    {
        var lines = new List<string>();
        foreach (var info in store.ListWorkspaces())
        {
            var ws = store.OpenWorkspace(info.Path);
            lines.AddRange(Fingerprint(ws.List, ws.Stat).Select(l => info.Path + ": " + l));
        }
        foreach (var pin in store.ListSnapshots()) lines.AddRange(Fingerprint(pin.List, pin.Stat).Select(l => $"@{pin.Id}: {l}"));
        return lines;
    }
}
