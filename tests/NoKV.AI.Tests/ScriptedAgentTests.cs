using System.Text;
using Microsoft.Extensions.AI;
using NoKV.AI;

namespace NoKV.Tests;

/// <summary>
/// The tools under a real FunctionInvokingChatClient, driven by a scripted model: the fork ends up
/// changed by exactly what the script did, nothing outside the fork changes, and a bad call comes
/// back to the model as a tool error while the conversation goes on.
/// </summary>
public sealed class ScriptedAgentTests : IDisposable
{
    private readonly AgentFork _fork = new();

    public void Dispose() => _fork.Dispose();

    [Fact]
    public async Task The_forks_diff_is_exactly_what_the_script_did_and_nothing_else_changed()
    {
        var other = _fork.Store.Clone("/base", "/forks/other").Workspace;
        var baseTree = AgentFork.Tree(_fork.Base);
        var otherTree = AgentFork.Tree(other);
        ScriptedChatClient? model = null;
        model = new ScriptedChatClient(
        [
            [("list_directory", new { path = "/" }), ("read_file", new { path = "src/app.py" })],
            [("edit_file", new { path = "src/app.py", old_text = "print('hello')", new_text = "print('hello, fork')" })],
            [("write_file", new { path = "tests/test_app.py", content = "def test():\n    assert True\n" })],
            [("snapshot", new { })],
            [("write_file", new { path = "scratch.txt", content = "thrown away" }), ("delete_path", new { path = "README.md" })],
            // "snapshot 7 taken; ..." -> roll back to 7, as a model reading the result would.
            [("rollback", (Func<object>)(() => new { snapshot_id = long.Parse(AgentFork.Text(model!.Results.Single(r => r.CallId == "call-3-0").Result).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) }))],
            [("move_path", new { from = "docs/notes.txt", to = "docs/TODO.txt" })],
        ]);
        using var client = new FunctionInvokingChatClient(model);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "improve the greeting, add a test, try something and undo it, rename the notes")], new ChatOptions { Tools = [.. _fork.Tools] });

        Assert.Equal("done", response.Text);
        Assert.Equal(9, model.Results.Count());
        Assert.All(model.Results, r => Assert.IsNotType<WorkspaceToolError>(r.Result));
        Assert.All(model.Results, r => Assert.Null(r.Exception));
        Assert.Equal(
            [new SubtreeDelta("/docs/TODO.txt", DeltaKind.Added), new SubtreeDelta("/docs/notes.txt", DeltaKind.Removed),
             new SubtreeDelta("/src/app.py", DeltaKind.Modified), new SubtreeDelta("/tests", DeltaKind.Added), new SubtreeDelta("/tests/test_app.py", DeltaKind.Added)],
            _fork.Store.Diff(_fork.Options.BaseSnapshot!, "/forks/agent"));
        Assert.Equal(AgentFork.BaseFiles["/src/app.py"].Replace("hello", "hello, fork", StringComparison.Ordinal), _fork.ReadFork("/src/app.py"));
        Assert.Equal("def test():\n    assert True\n", _fork.ReadFork("/tests/test_app.py"));
        Assert.Equal(AgentFork.BaseFiles["/README.md"], _fork.ReadFork("/README.md"));
        Assert.False(_fork.Fork.Exists("/scratch.txt"));
        Assert.Equal(baseTree, AgentFork.Tree(_fork.Base));
        Assert.Equal(otherTree, AgentFork.Tree(other));
    }

    [Fact]
    public async Task Bad_calls_come_back_as_tool_errors_and_the_conversation_goes_on()
    {
        var model = new ScriptedChatClient(
        [
            [("read_file", new { path = "../base/README.md" })],
            [("edit_file", new { path = "src/util.py", old_text = "(a, b):", new_text = "(x, y):" })],
            [("write_file", new { path = "ok.txt", content = "after the errors" })],
            [("rollback", new { snapshot_id = 424242 })],
            [("no_such_tool", new { })],
        ], finalText: "finished");
        using var client = new FunctionInvokingChatClient(model);
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "go")], new ChatOptions { Tools = [.. _fork.Tools] });

        Assert.Equal("finished", response.Text);
        var results = model.Results.ToList();
        Assert.Equal(5, results.Count);
        Assert.Contains("..", Assert.IsType<WorkspaceToolError>(results[0].Result).Error, StringComparison.Ordinal);
        Assert.Contains("occurs 2 times", Assert.IsType<WorkspaceToolError>(results[1].Result).Error, StringComparison.Ordinal);
        Assert.Equal("created /ok.txt (16 bytes)", AgentFork.Text(results[2].Result));
        Assert.Contains("was not taken by these tools", Assert.IsType<WorkspaceToolError>(results[3].Result).Error, StringComparison.Ordinal);
        Assert.Contains("not found", results[4].Result?.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal([new SubtreeDelta("/ok.txt", DeltaKind.Added)], _fork.Store.Diff(_fork.Options.BaseSnapshot!, "/forks/agent"));
        Assert.Equal("after the errors", Encoding.UTF8.GetString(await _fork.Fork.ReadAllBytesAsync("/ok.txt")));
    }

    [Fact]
    public async Task A_read_only_tool_set_has_no_tool_that_writes()
    {
        using var fork = new AgentFork(new WorkspaceToolOptions { ReadOnly = true });
        Assert.Equal(WorkspaceTools.ReadOnlyNames, fork.Tools.Select(t => t.Name));
        var model = new ScriptedChatClient([[("write_file", new { path = "a.txt", content = "x" })], [("read_file", new { path = "README.md" })]]);
        using var client = new FunctionInvokingChatClient(model);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "go")], new ChatOptions { Tools = [.. fork.Tools] });
        Assert.Contains("not found", model.Results.First().Result?.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(AgentFork.BaseFiles["/README.md"].TrimEnd('\n'), AgentFork.Text(model.Results.Last().Result));
        Assert.Empty(fork.Store.Diff(fork.Options.BaseSnapshot!, "/forks/agent"));
    }

    [Fact]
    public void Every_tool_has_a_description_and_a_json_schema_naming_its_arguments()
    {
        Assert.Equal(WorkspaceTools.Names, _fork.Tools.Select(t => t.Name));
        foreach (var tool in _fork.Tools)
        {
            Assert.False(string.IsNullOrWhiteSpace(tool.Description), tool.Name);
            var schema = tool.JsonSchema.GetRawText();
            Assert.DoesNotContain("cancellationToken", schema, StringComparison.Ordinal);
            foreach (var property in tool.JsonSchema.GetProperty("properties").EnumerateObject())
                Assert.True(property.Value.TryGetProperty("description", out _), $"{tool.Name}.{property.Name} has no description");
        }
        var readFile = _fork.Tool("read_file").JsonSchema;
        Assert.Equal(["path"], readFile.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["path", "start_line", "end_line"], readFile.GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }
}
