using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// Garbage paths from FsCheck: every operation either succeeds inside the workspace or throws
/// a typed exception (NoKVException or ArgumentException), nothing resolves outside the
/// workspace or the store directory, and other workspaces never change.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly Gen<string> NastySegment = Gen.Frequency(
        // Valid but odd names (they must work, and stay inside the workspace) ...
        (8, Gen.Elements("a", "b", "dir", "...", " ", "a b", "\\", "..\\..", "C:", "CON", "~", "$HOME", "%2e%2e", "*", "?", "-rf", "e\u0301", "\u00e9",
            "\ufb01", "\u200b", "\u202e", "\ufeff", "\U0001F600", new string('z', 255), new string('\u00e9', 127))),
        // ... and invalid ones (they must be refused with a typed exception).
        (3, Gen.Elements("..", ".", "", "\t",
            "a\0b", "\0", "\u0001", "\u001b[31m", "\u007f", "\n",
            "\ud800", "\udc00x", "a\ud83d", new string('z', 256), new string('\u00e9', 128))),
        (1, Gen.Choose(1, 40).SelectMany(n => Gen.Choose(0, 0x2FFF).Select(c => (char)c).ArrayOf(n)).Select(cs => new string(cs))));

    private static readonly Gen<string> NastyPath =
        from lead in Gen.Elements("/", "/", "/", "/", "/", "/", "/", "", "//", "./", "../", "\\")
        from count in Gen.Choose(0, 4)
        from segments in NastySegment.ListOf(count)
        from trail in Gen.Elements("", "", "", "", "", "", "/", "/.", "/..")
        select lead + string.Join("/", segments.Take(8)) + trail;

    [Fact]
    public async Task Garbage_paths_succeed_inside_the_workspace_or_throw_a_typed_exception()
    {
        var store = _temp.Store;
        var ws = store.CreateWorkspace("/victim");
        ws.CreateDirectory("/keep");
        await ws.WriteAllBytesAsync("/keep/file", "safe"u8.ToArray());
        var other = store.CreateWorkspace("/other");
        await other.WriteAllBytesAsync("/secret", "untouched"u8.ToArray());
        var otherBefore = await other.Tree();
        long succeeded = 0, refused = 0;

        Prop.ForAll(Arb.From(NastyPath), path =>
        {
            foreach (var (name, op) in Operations(store, ws, path))
            {
                try
                {
                    op();
                    succeeded++;
                }
                catch (Exception e) when (e is NoKVException or ArgumentException)
                {
                    refused++;
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"{name}({Escape(path)}) threw {e.GetType().Name}: {e.Message}", e);
                }
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true));

        // Everything that exists is a valid path inside the victim; nothing else changed.
        foreach (var node in AllNodes(ws, "/")) Assert.Equal(node, Paths.PathRules.Normalize(node));
        Assert.Equal(otherBefore, await other.Tree());
        Assert.Equal(["/other", "/victim"], _temp.Store.ListWorkspaces().Select(w => w.Path).Where(p => p is "/other" or "/victim"));
        Assert.Equal(["blocks", "meta", "nokv.identity", "nokv.lock", "nokv.owner"], Directory.EnumerateFileSystemEntries(_temp.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(_temp.Store.Verify().IsHealthy);
        output.WriteLine($"{succeeded} operations succeeded, {refused} refused with a typed exception");
    }

    [Fact]
    public void Paths_deeper_than_the_limit_are_refused()
    {
        var ws = _temp.Store.CreateWorkspace("/w");
        var deepest = "/" + string.Join("/", Enumerable.Repeat("d", 256));
        ws.CreateDirectory(deepest);
        Assert.True(ws.Exists(deepest));
        var e = Assert.Throws<InvalidPathException>(() => ws.CreateDirectory(deepest + "/d"));
        Assert.Contains("deeper than 256", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidPathException>(() => ws.Stat("/" + string.Join("/", Enumerable.Repeat(new string('x', 200), 21)))); // > 4096 bytes
    }

    private static IEnumerable<(string, Action)> Operations(WorkspaceStore store, Workspace ws, string path)
    {
        yield return ("CreateDirectory", () => ws.CreateDirectory(path));
        yield return ("WriteAllBytes", () => ws.WriteAllBytesAsync(path, "x"u8.ToArray()).GetAwaiter().GetResult());
        yield return ("Stat", () => ws.Stat(path));
        yield return ("Exists", () => ws.Exists(path));
        yield return ("List", () => ws.List(path));
        yield return ("ReadAllBytes", () => ws.ReadAllBytesAsync(path).GetAwaiter().GetResult());
        yield return ("Truncate", () => ws.TruncateAsync(path, 3).GetAwaiter().GetResult());
        yield return ("Move", () => ws.Move("/keep/file", path));
        yield return ("MoveBack", () => ws.Move(path, "/keep/file"));
        yield return ("Delete", () => { if (path.TrimEnd('/') is not ("/keep" or "/keep/file")) ws.Delete(path, recursive: true); });
        yield return ("Snapshot", () => store.Snapshot("/victim" + path));
        yield return ("Clone", () => store.Clone("/victim", "/clones" + path));
        yield return ("Diff", () => store.Diff("/victim", "/victim" + path));
        yield return ("Locate", () => store.Locate(path));
    }

    private static IEnumerable<string> AllNodes(Workspace ws, string dir)
    {
        foreach (var node in ws.List(dir))
        {
            yield return node.Path;
            if (node.Kind == NodeKind.Directory) foreach (var child in AllNodes(ws, node.Path)) yield return child;
        }
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < 32 || c > 126 ? $"\\u{(int)c:x4}" : c.ToString()));
}
