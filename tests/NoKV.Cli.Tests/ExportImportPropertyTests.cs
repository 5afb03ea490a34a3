using FsCheck;
using FsCheck.Fluent;
using NoKV.Tests;

namespace NoKV.Cli.Tests;

/// <summary>
/// For generated real trees (random names; files, directories and symbolic links; random modes
/// with setuid/setgid/sticky; random mtimes), nokv import then nokv export is the identity on
/// every path's type, mode, owner, mtime (to the second) and link target, and on file bytes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExportImportPropertyTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    private sealed record SpecNode(string Name, NodeKindSpec Kind, int Mode, long Seconds, string Content, string Target, SpecNode[] Children);

    private enum NodeKindSpec { File, Directory, Link }

    private static readonly Gen<string> Names = Gen.Elements("a", "b", "ü", "x y", "-n", ".hidden", "long-name-0123456789", "z");
    private static readonly Gen<long> Seconds = Gen.Choose(0, int.MaxValue).Select(s => (long)s);
    private static readonly Gen<string> Targets = Gen.Elements("a", "../b", "/etc/hostname", "/tmp", "no/such/thing", "ü", "./c/", "..");

    private static Gen<SpecNode[]> Children(int depth) =>
        Gen.Choose(0, 5).SelectMany(count => Gen.ListOf(Node(depth), count)).Select(list => list.DistinctBy(n => n.Name, StringComparer.Ordinal).Take(4).ToArray());

    private static Gen<SpecNode> Node(int depth)
    {
        var file = from name in Names
                   from mode in Gen.Choose(0, 0xFFF)
                   from seconds in Seconds
                   from content in Gen.Elements("", "x", "hello\n")
                   select new SpecNode(name, NodeKindSpec.File, mode | 0x100, seconds, content, "", []);
        var link = from name in Names
                   from seconds in Seconds
                   from target in Targets
                   select new SpecNode(name, NodeKindSpec.Link, 0x1FF, seconds, "", target, []);
        if (depth == 0) return Gen.OneOf(file, link);
        var directory = from name in Names
                        from mode in Gen.Choose(0, 0xFFF)
                        from seconds in Seconds
                        from children in Children(depth - 1)
                        select new SpecNode(name, NodeKindSpec.Directory, mode | 0x1C0, seconds, "", "", children);
        return Gen.Frequency((2, file), (1, link), (1, directory));
    }

    private static void Build(string dir, SpecNode[] nodes)
    {
        foreach (var node in nodes)
        {
            var path = Path.Combine(dir, node.Name);
            switch (node.Kind)
            {
                case NodeKindSpec.Directory:
                    Directory.CreateDirectory(path);
                    Build(path, node.Children);
                    break;
                case NodeKindSpec.Link:
                    File.CreateSymbolicLink(path, node.Target);
                    break;
                default:
                    File.WriteAllText(path, node.Content);
                    break;
            }
            if (node.Kind != NodeKindSpec.Link) File.SetUnixFileMode(path, (UnixFileMode)node.Mode);
            PosixTree.SetLastWriteTime(path, DateTime.UnixEpoch.AddSeconds(node.Seconds));
        }
    }

    [SkippableFact]
    public void Import_then_export_gives_back_every_generated_tree()
    {
        Skip.IfNot(PosixTree.Usable, "Linux 64-bit");
        _nokv.Ok("init");
        var run = 0;
        var nodes = 0;
        Prop.ForAll(Children(2).ToArbitrary(), tree =>
        {
            run++;
            var source = Path.Combine(_nokv.Root, $"T{run}");
            var output = Path.Combine(_nokv.Root, $"O{run}");
            Directory.CreateDirectory(source);
            Build(source, tree);
            PosixTree.SetLastWriteTime(source, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
            _nokv.Ok("import", source, $"/w{run}");
            _nokv.Ok("export", $"/w{run}", output);
            Assert.Equal(string.Join('\n', RealTree.Listing(source)), string.Join('\n', RealTree.Listing(output)));
            var diff = RealTree.Run("diff", "-r", "--no-dereference", source, output);
            Assert.True(diff.ExitCode == 0, $"diff found: {diff.Stdout}{diff.Stderr}");
            nodes += CountNodes(tree);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(15).WithQuietOnSuccess(true));
        Assert.True(nodes > 30, $"the generated trees held only {nodes} nodes: the property checked almost nothing");
    }

    private static int CountNodes(SpecNode[] nodes) => nodes.Sum(n => 1 + CountNodes(n.Children));
}
