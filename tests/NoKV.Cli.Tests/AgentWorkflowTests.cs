using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NoKV.Cli.Tests;

/// <summary>Every command, run as a real process, through the agent workflow the tool exists for.</summary>
public sealed partial class AgentWorkflowTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    /// <summary>A real directory to import: nested text files, a binary "weights" file, an empty directory.</summary>
    private string MakeSourceTree()
    {
        var source = Path.Combine(_nokv.Root, "source");
        Directory.CreateDirectory(Path.Combine(source, "src", "lib"));
        Directory.CreateDirectory(Path.Combine(source, "empty"));
        File.WriteAllText(Path.Combine(source, "src", "a.txt"), "alpha\nbeta\ngamma\n");
        File.WriteAllText(Path.Combine(source, "src", "lib", "b.txt"), "one\ntwo\n");
        File.WriteAllText(Path.Combine(source, "old.txt"), "to be deleted\n");
        var weights = new byte[3 * 1024 * 1024 + 17];
        new Random(5).NextBytes(weights);
        File.WriteAllBytes(Path.Combine(source, "weights.bin"), weights);
        return source;
    }

    [Fact]
    public void The_agent_workflow_from_import_to_export_works_end_to_end()
    {
        var source = MakeSourceTree();
        Assert.Contains("initialized store", _nokv.Ok("init").Stdout, StringComparison.Ordinal);
        Assert.Equal("imported 4 files, 3 directories, 3145784 bytes into /base", _nokv.Ok("import", source, "/base").Lines.Single());

        var snapshot = _nokv.Ok("snapshot", "/base").Lines.Single();
        Assert.Matches(SnapshotLine(), snapshot);
        var baseSnapshot = SnapshotLine().Match(snapshot).Groups["id"].Value;

        var cloned = _nokv.Ok("clone", "/base", "/forks/agent-1").Lines.Single();
        Assert.Matches(@"^cloned /base -> /forks/agent-1 root=\d+ snapshot=\d+$", cloned);
        var forkSnapshot = Regex.Match(cloned, @"snapshot=(\d+)").Groups[1].Value;
        Assert.Matches(@"^cloned @\d+ -> /forks/agent-2 root=\d+ snapshot=" + baseSnapshot + "$", _nokv.Ok("clone", "@" + baseSnapshot, "/forks/agent-2").Lines.Single());

        // The agent works in its fork.
        _nokv.RunWithInput(Encoding.UTF8.GetBytes("alpha\nBETA\ngamma\n"), "put", "/forks/agent-1/src/a.txt", "-");
        File.WriteAllText(Path.Combine(_nokv.Root, "b.txt"), "brand new\n");
        _nokv.Ok("put", "/forks/agent-1/b.txt", Path.Combine(_nokv.Root, "b.txt"));
        _nokv.Ok("rm", "/forks/agent-1/old.txt");
        _nokv.Ok("mkdir", "/forks/agent-1/notes/today");
        _nokv.Ok("mv", "/forks/agent-1/src/lib", "/forks/agent-1/lib");
        _nokv.Ok("rm", "-r", "/forks/agent-1/notes");

        Assert.Equal("alpha\nBETA\ngamma\n", _nokv.Ok("cat", "/forks/agent-1/src/a.txt").Stdout);
        Assert.Equal(["b.txt", "empty/", "lib/", "src/", "weights.bin"], _nokv.Ok("ls", "/forks/agent-1").Lines);
        Assert.Contains("kind: file", _nokv.Ok("stat", "/forks/agent-1/b.txt").Lines);
        Assert.Contains("size: 10", _nokv.Ok("stat", "/forks/agent-1/b.txt").Lines);

        // What changed, in every format.
        Assert.Equal(
            ["A    /b.txt", "A    /lib", "A    /lib/b.txt", "D    /old.txt", "M    /src/a.txt", "D    /src/lib", "D    /src/lib/b.txt"],
            _nokv.Ok("diff", "/base", "/forks/agent-1").Lines);
        Assert.Equal(1, _nokv.Run("diff", "--exit-code", "/base", "/forks/agent-1").ExitCode);
        Assert.Equal("3 added, 1 modified, 3 removed", _nokv.Ok("diff", "--stat", "/base", "/forks/agent-1").Lines.Single());
        var json = JsonDocument.Parse(_nokv.Ok("diff", "--json", "@" + forkSnapshot, "/forks/agent-1").Stdout);
        Assert.Contains(json.RootElement.EnumerateArray(), e => e.GetProperty("path").GetString() == "/src/a.txt" && e.GetProperty("change").GetString() == "modified");
        var patch = _nokv.Ok("diff", "--patch", "/base", "/forks/agent-1").Lines;
        Assert.Contains("-beta", patch);
        Assert.Contains("+BETA", patch);
        Assert.Contains("--- /dev/null", patch);

        // Binary files get no text patch.
        _nokv.RunWithInput([0, 1, 2, 255], "put", "/forks/agent-2/weights.bin", "-");
        Assert.Contains("Binary files a/weights.bin and b/weights.bin differ", _nokv.Ok("diff", "--patch", "/base", "/forks/agent-2").Lines);

        // Snapshots, rollback, release, drop, gc, fsck.
        Assert.Equal(3, _nokv.Ok("snapshots").Lines.Length); // header + 2
        Assert.Equal($"rolled back /forks/agent-2 to snapshot {baseSnapshot}", _nokv.Ok("rollback", "/forks/agent-2", baseSnapshot).Lines.Single());
        Assert.Empty(_nokv.Ok("diff", "/base", "/forks/agent-2").Lines);
        Assert.Equal($"released snapshot {forkSnapshot}", _nokv.Ok("release", "@" + forkSnapshot).Lines.Single());
        Assert.Equal("dropped /forks/agent-2", _nokv.Ok("drop", "/forks/agent-2").Lines.Single());
        Assert.Matches(@"^gc: \d+ blocks", _nokv.Ok("gc").Lines.Single());
        Assert.StartsWith("store is healthy", _nokv.Ok("fsck").Lines.Single(), StringComparison.Ordinal);

        var workspaces = _nokv.Ok("workspaces").Lines;
        Assert.Equal("path\troot\tfiles\tbytes", workspaces[0]);
        Assert.StartsWith("/base\t", workspaces[1], StringComparison.Ordinal);
        Assert.EndsWith("\t4\t3145784", workspaces[1], StringComparison.Ordinal);

        // The base exports byte for byte as it was imported, empty directory included.
        var output = Path.Combine(_nokv.Root, "out");
        _nokv.Ok("export", "/base", output);
        AssertSameTree(source, output);
        var snapshotOut = Path.Combine(_nokv.Root, "out-snapshot");
        _nokv.Ok("export", "@" + baseSnapshot, snapshotOut);
        AssertSameTree(source, snapshotOut);
    }

    [Fact]
    public void Cat_writes_binary_bytes_unchanged()
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        _nokv.RunWithInput(bytes, "put", "/base/all-bytes", "-");
        Assert.Equal(bytes, _nokv.Ok("cat", "/base/all-bytes").StdoutBytes);
    }

    [Fact]
    public void Fsck_exits_1_and_lists_problems_when_a_block_is_corrupted()
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        // Larger than the inline threshold (16 KiB), so the bytes are in a block file.
        _nokv.RunWithInput(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("precious", 4096))), "put", "/base/f", "-");
        var block = Directory.EnumerateFiles(Path.Combine(_nokv.Store, "blocks"), "*", SearchOption.AllDirectories).Single();
        File.WriteAllText(block, "PRECIOUS");

        var result = _nokv.Run("fsck");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("BlockCorrupted:", result.Lines.Single(), StringComparison.Ordinal);
        var cat = _nokv.Run("cat", "/base/f");
        Assert.Equal(3, cat.ExitCode);
        Assert.Contains("corrupted", cat.Stderr, StringComparison.Ordinal);
        Assert.Empty(cat.StdoutBytes);
    }

    [Fact]
    public void The_store_comes_from_NOKV_STORE_when_no_flag_is_given()
    {
        var env = new Dictionary<string, string> { ["NOKV_STORE"] = _nokv.Store };
        Assert.Equal(0, _nokv.RunRaw(null, ["init"], env).ExitCode);
        Assert.Equal(0, _nokv.RunRaw(null, ["create", "/w"], env).ExitCode);
        Assert.Contains("/w", _nokv.Ok("workspaces").Stdout, StringComparison.Ordinal);
    }

    private static void AssertSameTree(string expected, string actual)
    {
        static string[] Entries(string root) => Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p) + (Directory.Exists(p) ? "/" : "")).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Entries(expected), Entries(actual));
        foreach (var file in Directory.EnumerateFiles(expected, "*", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(actual, Path.GetRelativePath(expected, file))));
    }

    [GeneratedRegex(@"^snapshot /base id=(?<id>\d+) version=\d+$")]
    private static partial Regex SnapshotLine();
}

public sealed class PromoteCommandTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    private void Put(string path, string text) => Assert.Equal(0, _nokv.RunWithInput(System.Text.Encoding.UTF8.GetBytes(text), "put", path, "-").ExitCode);

    [Fact]
    public void Promote_prints_the_applied_delta_and_conflicts()
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        Put("/base/a", "a");
        Put("/base/b", "b");
        _nokv.Ok("clone", "/base", "/forks/agent-7");
        _nokv.Ok("clone", "/base", "/forks/agent-8");
        Put("/forks/agent-7/a", "agent 7");
        Put("/forks/agent-7/c", "new");

        var promoted = _nokv.Ok("promote", "/forks/agent-7", "/base");
        Assert.Equal(["M    /a", "A    /c"], promoted.Lines);
        Assert.Equal("agent 7", _nokv.Ok("cat", "/base/a").Stdout);

        Put("/forks/agent-8/a", "agent 8");
        var conflicted = _nokv.Run("promote", "/forks/agent-8", "/base");
        Assert.Equal(1, conflicted.ExitCode);
        Assert.Equal(["CONFLICT /a"], conflicted.Lines);
        Assert.Equal("agent 7", _nokv.Ok("cat", "/base/a").Stdout);

        Assert.Equal(["M    /a", "CONFLICT /a"], _nokv.Run("promote", "--prefer", "fork", "/forks/agent-8", "/base").Lines);
        Assert.Equal("agent 8", _nokv.Ok("cat", "/base/a").Stdout);
        Assert.Equal(2, _nokv.Run("promote", "--prefer", "nobody", "/forks/agent-8", "/base").ExitCode);
    }
}
