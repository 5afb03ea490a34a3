using System.Text;
using NoKV.AI;

namespace NoKV.Tests;

/// <summary>search_text: regex over file contents, with limits and a regex timeout.</summary>
public sealed class SearchToolTests : IDisposable
{
    private readonly AgentFork _fork = new();

    public void Dispose() => _fork.Dispose();

    [Fact]
    public async Task Matching_lines_come_back_as_path_line_text()
    {
        Assert.Equal("/docs/notes.txt:1: TODO: write docs\n/docs/notes.txt:2: TODO: add tests", await _fork.Ok("search_text", new { pattern = "TODO" }));
        Assert.Equal("/src/util.py:1: def add(a, b):\n/src/util.py:4: def sub(a, b):", await _fork.Ok("search_text", new { pattern = @"def \w+\(a", glob = "*.py" }));
        Assert.Equal("/src/app.py:2:     print('hello')", await _fork.Ok("search_text", new { pattern = "PRINT", ignore_case = true }));
        Assert.Equal("/src/app.py:1: def main():", await _fork.Ok("search_text", new { pattern = "def", path = "src/app.py" }));
        Assert.StartsWith("no line below / matches", await _fork.Ok("search_text", new { pattern = "zzz" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_files_are_skipped()
    {
        await _fork.Fork.WriteAllBytesAsync("/blob.bin", Encoding.UTF8.GetBytes("TODO\0binary"));
        Assert.DoesNotContain("blob.bin", await _fork.Ok("search_text", new { pattern = "TODO" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Matches_stop_at_the_limit_and_say_truncated()
    {
        using var fork = new AgentFork(new WorkspaceToolOptions { MaxSearchMatches = 5 });
        await fork.Fork.WriteAllBytesAsync("/many.txt", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("hit\n", 100))));
        var text = await fork.Ok("search_text", new { pattern = "hit" });
        Assert.Equal(6, text.Split('\n').Length);
        Assert.Contains("[truncated: showing the first 5 matches", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_regex_is_a_tool_error()
    {
        Assert.Contains("not a valid .NET regular expression", await _fork.Error("search_text", new { pattern = "(unclosed" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_catastrophic_regex_is_stopped_by_the_timeout()
    {
        using var fork = new AgentFork(new WorkspaceToolOptions { RegexTimeout = TimeSpan.FromMilliseconds(50) });
        await fork.Fork.WriteAllBytesAsync("/evil.txt", Encoding.UTF8.GetBytes(new string('a', 40) + "!"));
        var started = DateTime.UtcNow;
        Assert.Contains("was stopped", await fork.Error("search_text", new { pattern = "^(a+)+$" }), StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
    }
}
