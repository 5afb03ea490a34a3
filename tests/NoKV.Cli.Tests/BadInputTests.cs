using System.Text;

namespace NoKV.Cli.Tests;

/// <summary>Bad input exits 2 with one clear line on stderr, no stack trace, and changes nothing.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public BadInputTests()
    {
        _nokv.Ok("init");
        _nokv.Ok("create", "/base");
        _nokv.RunWithInput(Encoding.UTF8.GetBytes("data"), "put", "/base/f", "-");
        _nokv.Ok("mkdir", "/base/d");
        _nokv.Ok("create", "/other");
    }

    public void Dispose() => _nokv.Dispose();

    public static TheoryData<string[], string> Cases() => new()
    {
        { ["ls", "/nope"], "does not exist" },
        { ["cat", "/base/../etc/passwd"], "'..'" },
        { ["cat", "/base/nope"], "does not exist" },
        { ["put", "/base/x", "/definitely/not/a/file"], "no such file" },
        { ["create", "/base"], "already exists" },
        { ["create", "/base/inner"], "nest" },
        { ["clone", "/base", "/other"], "already exists" },
        { ["clone", "@999", "/x"], "Snapshot 999" },
        { ["clone", "@abc", "/x"], "not a snapshot" },
        { ["rollback", "/base", "999"], "Snapshot 999" },
        { ["mv", "/base/f", "/other/f"], "across workspaces" },
        { ["mv", "/base/d", "/base/d/e"], "into itself" },
        { ["rm", "/base"], "nokv drop" },
        { ["rm", "/base/d/../f"], "'..'" },
        { ["mkdir", "/base/f/sub"], "not a directory" },
        { ["init"], "already exists" },
        { ["import", "/definitely/not/a/dir", "/base"], "no such directory" },
        { ["frobnicate"], "--help" },
        { ["create"], "--help" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_exits_2_with_one_line_and_changes_nothing(string[] args, string expectedInMessage)
    {
        var before = State();
        var result = _nokv.Run(args);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("nokv: ", line, StringComparison.Ordinal);
        Assert.Contains(expectedInMessage, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, State());
    }

    [Fact]
    public void A_released_snapshot_cannot_be_used()
    {
        var id = _nokv.Ok("snapshot", "/base").Stdout.Split("id=")[1].Split(' ')[0];
        _nokv.Ok("release", id);
        var before = State();
        foreach (var args in new[] { new[] { "clone", "@" + id, "/x" }, ["diff", "@" + id, "/base"], ["ls", "@" + id], ["release", id] })
        {
            var result = _nokv.Run(args);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"Snapshot {id} does not exist", result.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(before, State());
    }

    [Fact]
    public void A_missing_store_is_reported_and_not_created()
    {
        var missing = Path.Combine(_nokv.Root, "no-store-here");
        var result = _nokv.RunRaw(null, ["--store", missing, "ls", "/base"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nokv init", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    private string State() => _nokv.Ok("workspaces").Stdout + _nokv.Ok("snapshots").Stdout + _nokv.Ok("ls", "-l", "/base").Stdout + _nokv.Ok("cat", "/base/f").Stdout;
}
