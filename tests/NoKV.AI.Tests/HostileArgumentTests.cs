using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NoKV.AI;

namespace NoKV.Tests;

/// <summary>
/// Arguments a confused or hostile model may pass: "..", absolute host paths, NUL, very long
/// paths, links that point out of the workspace. Each either acts inside the fork or comes back
/// as a tool error; nothing outside the fork (the base, other workspaces, the host) changes.
/// </summary>
public sealed class HostileArgumentTests : IDisposable
{
    private readonly AgentFork _fork = new();

    public void Dispose() => _fork.Dispose();

    [Theory]
    [InlineData("../base/README.md")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("src/../../base/README.md")]
    [InlineData("/src/./app.py")]
    [InlineData("a\0b")]
    [InlineData("src//app.py")]
    public async Task Path_tricks_are_tool_errors(string path)
    {
        var read = await _fork.Error("read_file", new { path });
        Assert.DoesNotContain('\0', read);
        await _fork.Error("write_file", new { path, content = "pwned" });
        await _fork.Error("delete_path", new { path, recursive = true });
        await _fork.Error("move_path", new { from = "README.md", to = path });
        AssertNothingChanged();
    }

    [Fact]
    public async Task An_absolute_host_path_names_a_path_inside_the_fork()
    {
        var hostPasswd = File.Exists("/etc/passwd") ? File.ReadAllText("/etc/passwd") : null;
        Assert.Contains("/etc/passwd", await _fork.Error("read_file", new { path = "/etc/passwd" }), StringComparison.Ordinal);
        await _fork.Ok("write_file", new { path = "/etc/passwd", content = "inside the fork" });
        Assert.Equal("inside the fork", _fork.ReadFork("/etc/passwd"));
        Assert.Equal(hostPasswd, File.Exists("/etc/passwd") ? File.ReadAllText("/etc/passwd") : null);
        Assert.Equal(AgentFork.BaseFiles.Count + 3, AgentFork.Tree(_fork.Base).Count);
        Assert.Equal("A /etc\nA /etc/passwd", await _fork.Ok("diff"));
    }

    [Fact]
    public async Task A_very_long_path_is_a_short_tool_error()
    {
        var error = await _fork.Error("write_file", new { path = string.Join('/', Enumerable.Repeat(new string('x', 200), 500)), content = "x" });
        Assert.True(error.Length <= 1001, $"{error.Length} chars");
        AssertNothingChanged();
    }

    [Fact]
    public async Task Links_out_of_the_workspace_are_never_followed()
    {
        var host = Path.Combine(_fork.Directory, "host-dir");
        Directory.CreateDirectory(host);
        await File.WriteAllTextAsync(Path.Combine(host, "secret.txt"), "host secret");
        _fork.Fork.CreateSymbolicLink("/to-host", host);
        _fork.Fork.CreateSymbolicLink("/to-base", "../../base");
        _fork.Fork.CreateSymbolicLink("/to-src", "src");
        var before = AgentFork.Tree(_fork.Fork);

        foreach (var link in new[] { "to-host", "to-base", "to-src" })
        {
            await _fork.Error("read_file", new { path = $"{link}/secret.txt" });
            await _fork.Error("read_file", new { path = link });
            await _fork.Error("list_directory", new { path = link });
            await _fork.Error("write_file", new { path = $"{link}/x.txt", content = "x" });
            await _fork.Error("edit_file", new { path = link, old_text = "a", new_text = "b" });
        }
        Assert.DoesNotContain("host secret", await _fork.Ok("search_text", new { pattern = "secret" }), StringComparison.Ordinal);
        Assert.Equal(["host secret"], [await File.ReadAllTextAsync(Path.Combine(host, "secret.txt"))]);
        Assert.Equal(["secret.txt"], Directory.GetFiles(host).Select(Path.GetFileName));
        Assert.Equal(before, AgentFork.Tree(_fork.Fork));
        AssertBaseUnchanged();
    }

    [Fact]
    public async Task Arguments_of_the_wrong_type_or_missing_are_tool_errors()
    {
        await _fork.Error("read_file", new { path = "README.md", start_line = "first" });
        await _fork.Error("write_file", new { path = "a.txt" });
        await _fork.Error("rollback", new { snapshot_id = "latest" });
        await _fork.Error("edit_file", new { path = "README.md", old_text = "Demo" });
        AssertNothingChanged();
    }

    private static readonly Gen<string> SegmentGen = Gen.Elements(
        "..", ".", "", "etc", "passwd", "a\0b", "base", "forks", "~", "src", "app.py", "x\ny", "\\..\\", new string('n', 300), "é");

    private static readonly Gen<string> PathGen =
        from leadingSlash in Gen.Elements(true, false)
        from count in Gen.Choose(1, 6)
        from segments in SegmentGen.ArrayOf(count)
        select (leadingSlash ? "/" : "") + string.Join('/', segments);

    [Fact]
    public async Task Generated_paths_act_inside_the_fork_or_fail_and_never_change_anything_else()
    {
        using var fork = new AgentFork();
        var other = fork.Store.CreateWorkspace("/other");
        await other.WriteAllBytesAsync("/keep.txt", Encoding.UTF8.GetBytes("other"));
        var baseTree = AgentFork.Tree(fork.Base);
        var otherTree = AgentFork.Tree(other);

        Prop.ForAll(Arb.From(PathGen), Arb.From(PathGen), (path, to) =>
        {
            foreach (var (tool, args) in new (string, object)[]
            {
                ("write_file", new { path, content = "generated" }),
                ("read_file", new { path }),
                ("move_path", new { from = path, to }),
                ("delete_path", new { path = to, recursive = true }),
                ("list_directory", new { path }),
            })
            {
                var result = CallBlocking(fork, tool, args);
                Assert.True(result is string or WorkspaceToolError or System.Text.Json.JsonElement, $"{tool}: {result}");
            }
            Assert.Equal(baseTree, AgentFork.Tree(fork.Base));
            Assert.Equal(otherTree, AgentFork.Tree(other));
            Assert.Equal(["/base", "/forks/agent", "/other"], fork.Store.ListWorkspaces().Select(w => w.Path).Order(StringComparer.Ordinal));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60).WithQuietOnSuccess(true));
    }

    // FsCheck properties are synchronous; the tools complete without a synchronization context here.
    private static object? CallBlocking(AgentFork fork, string tool, object args) => fork.Call(tool, args).GetAwaiter().GetResult();

    private void AssertNothingChanged()
    {
        Assert.Empty(_fork.Store.Diff(_fork.Options.BaseSnapshot!, "/forks/agent"));
        AssertBaseUnchanged();
    }

    private void AssertBaseUnchanged()
    {
        foreach (var (path, text) in AgentFork.BaseFiles)
            Assert.Equal(text, Encoding.UTF8.GetString(_fork.Base.ReadAllBytesAsync(path).GetAwaiter().GetResult()));
        Assert.Equal(AgentFork.BaseFiles.Count + 3, AgentFork.Tree(_fork.Base).Count);
    }
}
