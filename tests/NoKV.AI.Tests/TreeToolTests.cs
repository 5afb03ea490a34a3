using System.Text;

namespace NoKV.Tests;

/// <summary>list_directory, find_files, delete_path and move_path on a real fork.</summary>
public sealed class TreeToolTests : IDisposable
{
    private readonly AgentFork _fork = new();

    public void Dispose() => _fork.Dispose();

    [Fact]
    public async Task List_directory_shows_directories_files_and_links()
    {
        _fork.Fork.CreateSymbolicLink("/link", "/etc/passwd");
        Assert.Equal("README.md (24 bytes)\ndocs/\nlink -> /etc/passwd (symbolic link, not followed)\nsrc/", await _fork.Ok("list_directory"));
        Assert.Equal("app.py (70 bytes)\ndata/\nutil.py (65 bytes)", await _fork.Ok("list_directory", new { path = "src" }));
        Assert.Contains("/missing", await _fork.Error("list_directory", new { path = "missing" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_listing_is_truncated_within_the_result_limit()
    {
        using var fork = new AgentFork(new NoKV.AI.WorkspaceToolOptions { MaxResultChars = 1000 });
        fork.Fork.CreateDirectory("/many");
        for (var i = 0; i < 300; i++) await fork.Fork.WriteAllBytesAsync($"/many/file-{i:D3}.txt", Encoding.UTF8.GetBytes("x"));
        var text = await fork.Ok("list_directory", new { path = "many" });
        Assert.True(text.Length <= 1000, $"{text.Length} chars");
        Assert.StartsWith("file-000.txt (1 byte)\n", text, StringComparison.Ordinal);
        Assert.Contains("[truncated: showing the first ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_files_matches_globs_at_any_depth_and_below_a_directory()
    {
        Assert.Equal("/src/app.py\n/src/util.py", await _fork.Ok("find_files", new { pattern = "*.py" }));
        Assert.Equal("/src/app.py\n/src/util.py", await _fork.Ok("find_files", new { pattern = "**/*.py" }));
        Assert.Equal("/src/data/config.json", await _fork.Ok("find_files", new { pattern = "data/*.json", path = "src" }));
        Assert.Equal("/README.md", await _fork.Ok("find_files", new { pattern = "README*" }));
        Assert.Equal("/src/app.py", await _fork.Ok("find_files", new { pattern = "src/[a]*.py" }));
        Assert.StartsWith("no path below / matches", await _fork.Ok("find_files", new { pattern = "*.rs" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_files_stops_at_its_match_and_visit_limits_and_says_so()
    {
        using var fork = new AgentFork(new NoKV.AI.WorkspaceToolOptions { MaxSearchMatches = 3, MaxVisitedEntries = 50 });
        fork.Fork.CreateDirectory("/gen");
        for (var i = 0; i < 60; i++) await fork.Fork.WriteAllBytesAsync($"/gen/f{i:D2}.txt", Encoding.UTF8.GetBytes("x"));
        var few = await fork.Ok("find_files", new { pattern = "gen/*.txt" });
        Assert.Equal(["/gen/f00.txt", "/gen/f01.txt", "/gen/f02.txt"], few.Split('\n')[..3]);
        Assert.Contains("[truncated: showing the first 3 matches", few, StringComparison.Ordinal);
        Assert.Contains("[truncated: stopped after visiting 50 entries", await fork.Ok("find_files", new { pattern = "*.nothing" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_path_deletes_files_and_needs_recursive_for_a_full_directory()
    {
        Assert.Equal("deleted file /README.md", await _fork.Ok("delete_path", new { path = "README.md" }));
        Assert.False(_fork.Fork.Exists("/README.md"));
        Assert.Contains("not empty", await _fork.Error("delete_path", new { path = "src" }), StringComparison.OrdinalIgnoreCase);
        Assert.True(_fork.Fork.Exists("/src/app.py"));
        Assert.Equal("deleted directory /src", await _fork.Ok("delete_path", new { path = "src", recursive = true }));
        Assert.False(_fork.Fork.Exists("/src"));
        Assert.Contains("root", await _fork.Error("delete_path", new { path = "/" }), StringComparison.Ordinal);
        Assert.True(_fork.Base.Exists("/src/app.py"));
    }

    [Fact]
    public async Task Move_path_renames_creates_parents_and_refuses_bad_moves_without_changes()
    {
        Assert.Equal("moved file /src/util.py to /lib/math/util.py", await _fork.Ok("move_path", new { from = "src/util.py", to = "lib/math/util.py" }));
        Assert.Equal(AgentFork.BaseFiles["/src/util.py"], _fork.ReadFork("/lib/math/util.py"));
        Assert.False(_fork.Fork.Exists("/src/util.py"));

        var before = AgentFork.Tree(_fork.Fork);
        Assert.Contains("into itself", await _fork.Error("move_path", new { from = "src", to = "src/inner/deeper" }), StringComparison.Ordinal);
        Assert.Contains("already exists", await _fork.Error("move_path", new { from = "README.md", to = "src/app.py" }), StringComparison.Ordinal);
        Assert.Contains("/ghost", await _fork.Error("move_path", new { from = "ghost", to = "new/place" }), StringComparison.Ordinal);
        Assert.Equal(before, AgentFork.Tree(_fork.Fork));
    }

    [Fact]
    public async Task A_move_refused_at_the_path_limit_leaves_no_new_parent_directories()
    {
        await _fork.Ok("write_file", new { path = string.Join('/', Enumerable.Repeat("d", 200)) + "/f.txt", content = "deep" });
        var before = AgentFork.Tree(_fork.Fork);
        var destination = string.Join('/', Enumerable.Range(1, 60).Select(i => $"n{i}")) + "/d";
        Assert.Contains("256", await _fork.Error("move_path", new { from = "d", to = destination }), StringComparison.Ordinal);
        Assert.False(_fork.Fork.Exists("/n1"));
        Assert.Equal(before, AgentFork.Tree(_fork.Fork));
    }
}
