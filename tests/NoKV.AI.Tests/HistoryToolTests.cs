using System.Text;
using NoKV.AI;

namespace NoKV.Tests;

/// <summary>diff, snapshot and rollback: the agent's view of its fork's history.</summary>
public sealed class HistoryToolTests : IDisposable
{
    private readonly AgentFork _fork = new();

    public void Dispose() => _fork.Dispose();

    [Fact]
    public async Task Diff_against_the_base_lists_added_modified_and_deleted_paths()
    {
        Assert.Equal($"no changes since snapshot {_fork.Clone.SnapshotId}.", await _fork.Ok("diff"));
        await _fork.Ok("write_file", new { path = "src/new.py", content = "x = 1\n" });
        await _fork.Ok("edit_file", new { path = "src/app.py", old_text = "hello", new_text = "goodbye" });
        await _fork.Ok("delete_path", new { path = "docs", recursive = true });
        Assert.Equal("D /docs\nD /docs/notes.txt\nM /src/app.py\nA /src/new.py", await _fork.Ok("diff"));
    }

    [Fact]
    public async Task Diff_with_hunks_shows_unified_changes_of_text_files()
    {
        await _fork.Ok("edit_file", new { path = "src/app.py", old_text = "hello", new_text = "goodbye" });
        await _fork.Ok("write_file", new { path = "added.txt", content = "one\ntwo\n" });
        var diff = await _fork.Ok("diff", new { include_hunks = true });
        Assert.Equal("""
            A /added.txt
            M /src/app.py
            --- /dev/null
            +++ b/added.txt
            @@ -0,0 +1,2 @@
            +one
            +two
            --- a/src/app.py
            +++ b/src/app.py
            @@ -1,5 +1,5 @@
             def main():
            -    print('hello')
            +    print('goodbye')
             
             if __name__ == '__main__':
                 main()
            """.ReplaceLineEndings("\n"), diff);
    }

    [Fact]
    public async Task Snapshot_then_rollback_discards_what_came_after()
    {
        await _fork.Ok("write_file", new { path = "keep.txt", content = "keep" });
        var taken = await _fork.Ok("snapshot");
        var id = long.Parse(taken.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var atSnapshot = AgentFork.Tree(_fork.Fork);

        await _fork.Ok("write_file", new { path = "scratch.txt", content = "oops" });
        await _fork.Ok("delete_path", new { path = "src", recursive = true });
        Assert.Equal("A /scratch.txt\nD /src\nD /src/app.py\nD /src/data\nD /src/data/config.json\nD /src/util.py", await _fork.Ok("diff", new { snapshot_id = id }));

        await _fork.Ok("rollback", new { snapshot_id = id });
        Assert.Equal(atSnapshot, AgentFork.Tree(_fork.Fork));
        Assert.Equal("A /keep.txt", await _fork.Ok("diff"));
    }

    [Fact]
    public async Task Rollback_to_the_base_discards_everything()
    {
        await _fork.Ok("write_file", new { path = "a.txt", content = "a" });
        await _fork.Ok("rollback", new { snapshot_id = _fork.Clone.SnapshotId });
        Assert.Equal(AgentFork.Tree(_fork.Base), AgentFork.Tree(_fork.Fork));
    }

    [Fact]
    public async Task Rollback_and_diff_refuse_snapshots_the_tools_did_not_take()
    {
        var foreign = _fork.Base.Snapshot();
        var other = _fork.Fork.Snapshot();
        await _fork.Ok("write_file", new { path = "a.txt", content = "a" });
        var before = AgentFork.Tree(_fork.Fork);
        Assert.Contains($"snapshot {other.Id} was not taken by these tools", await _fork.Error("rollback", new { snapshot_id = other.Id }), StringComparison.Ordinal);
        Assert.Contains("was not taken by these tools", await _fork.Error("diff", new { snapshot_id = foreign.Id }), StringComparison.Ordinal);
        Assert.Contains("was not taken by these tools", await _fork.Error("rollback", new { snapshot_id = 999_999 }), StringComparison.Ordinal);
        Assert.Equal(before, AgentFork.Tree(_fork.Fork));
    }

    [Fact]
    public async Task Without_a_base_diff_asks_for_a_snapshot()
    {
        using var fork = new AgentFork();
        var tools = WorkspaceTools.Create(fork.Fork);
        var diff = tools.Single(t => t.Name == "diff");
        var error = Assert.IsType<WorkspaceToolError>(await diff.InvokeAsync(new()));
        Assert.Contains("no base snapshot", error.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_diff_is_truncated()
    {
        using var fork = new AgentFork(new WorkspaceToolOptions { MaxResultChars = 600 });
        for (var i = 0; i < 100; i++) await fork.Fork.WriteAllBytesAsync($"/file-{i:D3}.txt", Encoding.UTF8.GetBytes("x"));
        var text = await fork.Ok("diff");
        Assert.True(text.Length <= 600, $"{text.Length} chars");
        Assert.Contains("of 100 changed paths", text, StringComparison.Ordinal);
    }
}
