namespace NoKV.Tests;

/// <summary>Helpers for the attack5 tests: every node of a workspace with all its attributes.</summary>
internal static class AttackTree
{
    /// <summary>Every node (root first) with every attribute NodeInfo carries, in path order.</summary>
    public static List<NodeInfo> Everything(Workspace ws)
    {
        var all = new List<NodeInfo> { ws.Stat("/") };
        void Walk(string dir)
        {
            foreach (var node in ws.List(dir))
            {
                all.Add(node);
                if (node.Kind == NodeKind.Directory) Walk(node.Path);
            }
        }
        Walk("/");
        return all;
    }

    /// <summary>The same, as one string per node, so a failed comparison shows what differs.</summary>
    public static List<string> Lines(Workspace ws) => Everything(ws).Select(n => n.ToString()).ToList();
}
