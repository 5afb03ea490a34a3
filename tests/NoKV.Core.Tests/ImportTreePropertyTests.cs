using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>
/// For generated real trees (random names; files, directories and symbolic links; random modes
/// with setuid/setgid/sticky; random mtimes to 100 ns), import stores every node with its kind,
/// mode, mtime, owner and link target exactly as the source has it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ImportTreePropertyTests
{
    /// <summary>A generated source node: a file (content), a directory (children) or a link (target).</summary>
    internal sealed record SpecNode(string Name, NodeKind Kind, int Mode, long MtimeTicks, string Content, string Target, SpecNode[] Children);

    private static readonly Gen<string> Names = Gen.Elements("a", "b", "c", "ü", "x y", "-n", ".hidden", "long-name-0123456789", "é", "z");

    private static readonly Gen<long> Mtimes = Gen.Choose(0, int.MaxValue).Select(s => DateTime.UnixEpoch.Ticks + s * TimeSpan.TicksPerSecond)
        .SelectMany(t => Gen.Choose(0, 9_999_999).Select(f => t + f));

    private static readonly Gen<string> Targets = Gen.Elements("a", "../b", "/etc/hostname", "no/such/thing", "ü", "./c/", "a/../../..");

    internal static Gen<SpecNode[]> Children(int depth) =>
        Gen.Choose(0, 5).SelectMany(count => Gen.ListOf(Node(depth), count)).Select(list => list.DistinctBy(n => n.Name, StringComparer.Ordinal).Take(5).ToArray());

    private static Gen<SpecNode> Node(int depth)
    {
        var file = from name in Names
                   from mode in Gen.Choose(0, 0xFFF)
                   from mtime in Mtimes
                   from content in Gen.Elements("", "x", "hello\n")
                   select new SpecNode(name, NodeKind.File, mode | 0x100, mtime, content, "", []); // u+r: the import must read it
        var link = from name in Names
                   from mtime in Mtimes
                   from target in Targets
                   select new SpecNode(name, NodeKind.SymbolicLink, 0x1FF, mtime, "", target, []);
        if (depth == 0) return Gen.OneOf(file, link);
        var directory = from name in Names
                        from mode in Gen.Choose(0, 0xFFF)
                        from mtime in Mtimes
                        from children in Children(depth - 1)
                        select new SpecNode(name, NodeKind.Directory, mode | 0x1C0, mtime, "", "", children); // u+rwx: the test fills it
        return Gen.Frequency((2, file), (1, link), (1, directory));
    }

    /// <summary>Creates the nodes under <paramref name="dir"/>, then sets modes and times post-order (a directory's last).</summary>
    internal static void Build(string dir, SpecNode[] nodes)
    {
        foreach (var node in nodes)
        {
            var path = Path.Combine(dir, node.Name);
            switch (node.Kind)
            {
                case NodeKind.Directory:
                    Directory.CreateDirectory(path);
                    Build(path, node.Children);
                    break;
                case NodeKind.SymbolicLink:
                    File.CreateSymbolicLink(path, node.Target);
                    break;
                default:
                    File.WriteAllText(path, node.Content);
                    break;
            }
            if (node.Kind != NodeKind.SymbolicLink) File.SetUnixFileMode(path, (UnixFileMode)node.Mode);
            PosixTree.SetLastWriteTime(path, new DateTime(node.MtimeTicks, DateTimeKind.Utc));
        }
    }

    [SkippableFact]
    public void Import_stores_every_generated_node_with_its_kind_mode_mtime_owner_and_target()
    {
        Skip.IfNot(PosixTree.Usable, "Linux 64-bit");
        var nodes = 0;
        Prop.ForAll(Children(2).ToArbitrary(), tree =>
        {
            using var temp = new TempStore();
            var source = Path.Combine(temp.Directory, "source");
            Directory.CreateDirectory(source);
            Build(source, tree);
            var ws = temp.Store.CreateWorkspace("/base");
            var result = ws.ImportAsync(source).GetAwaiter().GetResult();
            Assert.Empty(result.Skipped);
            Check(ws, "", tree);
            nodes += CountNodes(tree);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40).WithQuietOnSuccess(true));
        Assert.True(nodes > 30, $"the generated trees held only {nodes} nodes: the property checked almost nothing");
    }

    private static int CountNodes(SpecNode[] nodes) => nodes.Sum(n => 1 + CountNodes(n.Children));

    private static void Check(Workspace ws, string dir, SpecNode[] nodes)
    {
        Assert.Equal(nodes.Select(n => n.Name).Order(StringComparer.Ordinal), ws.List(dir.Length == 0 ? "/" : dir).Select(n => n.Name).Order(StringComparer.Ordinal));
        foreach (var node in nodes)
        {
            var path = dir + "/" + node.Name;
            var stored = ws.Stat(path);
            Assert.Equal((node.Kind, (UnixFileMode)node.Mode, node.MtimeTicks), (stored.Kind, stored.Mode, stored.LastWriteTime.UtcTicks));
            Assert.Equal(((long)PosixTree.EffectiveUser(), (long)PosixTree.EffectiveGroup()), (stored.OwnerId, stored.GroupId));
            Assert.Equal(node.Kind == NodeKind.SymbolicLink ? node.Target : null, stored.LinkTarget);
            if (node.Kind == NodeKind.File) Assert.Equal(node.Content, System.Text.Encoding.UTF8.GetString(ws.ReadAllBytesAsync(path).GetAwaiter().GetResult()));
            if (node.Kind == NodeKind.Directory) Check(ws, path, node.Children);
        }
    }
}
