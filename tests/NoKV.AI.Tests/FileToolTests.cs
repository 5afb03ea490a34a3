using System.Text;
using NoKV.AI;

namespace NoKV.Tests;

/// <summary>read_file, write_file and edit_file on a real fork.</summary>
public sealed class FileToolTests : IDisposable
{
    private readonly AgentFork _fork = new();

    public void Dispose() => _fork.Dispose();

    [Fact]
    public async Task Read_file_returns_the_exact_text_for_relative_and_absolute_paths()
    {
        var expected = AgentFork.BaseFiles["/src/app.py"].TrimEnd('\n');
        Assert.Equal(expected, await _fork.Ok("read_file", new { path = "src/app.py" }));
        Assert.Equal(expected, await _fork.Ok("read_file", new { path = "/src/app.py" }));
        Assert.Equal(expected, await _fork.Ok("read_file", new { path = "./src/app.py" }));
    }

    [Fact]
    public async Task Read_file_with_a_line_range_returns_just_those_lines()
    {
        Assert.Equal("    print('hello')\n", await _fork.Ok("read_file", new { path = "src/app.py", start_line = 2, end_line = 3 }) + "\n");
        Assert.Equal("    main()", await _fork.Ok("read_file", new { path = "src/app.py", start_line = 5 }));
        Assert.Contains("past its end", await _fork.Error("read_file", new { path = "src/app.py", start_line = 99 }), StringComparison.Ordinal);
        Assert.Contains("before start_line", await _fork.Error("read_file", new { path = "src/app.py", start_line = 3, end_line = 2 }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_large_file_is_cut_at_the_read_limit_and_says_where_to_read_on()
    {
        using var fork = new AgentFork(new WorkspaceToolOptions { MaxReadBytes = 1000 });
        var lines = Enumerable.Range(1, 500).Select(i => $"line {i:D4}").ToList();
        await fork.Fork.WriteAllBytesAsync("/big.txt", Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));

        var first = await fork.Ok("read_file", new { path = "big.txt" });
        Assert.True(first.Length < 1300, $"{first.Length} chars");
        var note = first.Split('\n')[^1];
        Assert.StartsWith("[truncated: showing lines 1-", note, StringComparison.Ordinal);
        var next = int.Parse(note[(note.IndexOf("start_line=", StringComparison.Ordinal) + "start_line=".Length)..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(lines[..(next - 1)], first.Split('\n')[..^1]);

        var second = await fork.Ok("read_file", new { path = "big.txt", start_line = next });
        Assert.StartsWith(lines[next - 1] + "\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_huge_line_shows_its_start_and_says_it_was_cut()
    {
        using var fork = new AgentFork(new WorkspaceToolOptions { MaxReadBytes = 4000 });
        await fork.Fork.WriteAllBytesAsync("/min.js", Encoding.UTF8.GetBytes(new string('x', 100_000)));
        var text = await fork.Ok("read_file", new { path = "min.js" });
        Assert.True(text.Length < 1500, $"{text.Length} chars");
        Assert.Contains("[truncated: line 1 of /min.js is 100,000 characters", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_binary_file_is_described_not_dumped()
    {
        await _fork.Fork.WriteAllBytesAsync("/blob.bin", new byte[] { 1, 0, 2, 0, 3 });
        Assert.Equal("/blob.bin is a binary file (5 bytes); its bytes are not shown.", await _fork.Ok("read_file", new { path = "blob.bin" }));
    }

    [Fact]
    public async Task Read_file_errors_name_the_problem()
    {
        Assert.Contains("/nope.txt", await _fork.Error("read_file", new { path = "nope.txt" }), StringComparison.Ordinal);
        Assert.NotEmpty(await _fork.Error("read_file", new { path = "src" }));
        Assert.Contains("path", await _fork.Error("read_file", new { }), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Write_file_creates_parents_and_replaces_content_in_the_fork_only()
    {
        Assert.Equal("created /new/dir/a.txt (5 bytes)", await _fork.Ok("write_file", new { path = "new/dir/a.txt", content = "héll" }));
        Assert.Equal("héll", _fork.ReadFork("/new/dir/a.txt"));
        Assert.Equal("replaced /README.md (2 bytes)", await _fork.Ok("write_file", new { path = "README.md", content = "hi" }));
        Assert.Equal("hi", _fork.ReadFork("/README.md"));
        Assert.Equal(AgentFork.BaseFiles["/README.md"], Encoding.UTF8.GetString(await _fork.Base.ReadAllBytesAsync("/README.md")));
        Assert.False(_fork.Base.Exists("/new"));
    }

    [Fact]
    public async Task Write_file_over_the_limit_writes_nothing()
    {
        using var fork = new AgentFork(new WorkspaceToolOptions { MaxWriteBytes = 10 });
        Assert.Contains("limit", await fork.Error("write_file", new { path = "deep/a.txt", content = new string('a', 11) }), StringComparison.Ordinal);
        Assert.False(fork.Fork.Exists("/deep"));
        Assert.Empty(fork.Store.Diff(fork.Options.BaseSnapshot!, "/forks/agent"));
    }

    [Fact]
    public async Task Edit_file_replaces_exactly_one_occurrence()
    {
        Assert.Equal("replaced 1 occurrence in /src/util.py", await _fork.Ok("edit_file", new { path = "src/util.py", old_text = "return a + b", new_text = "return b + a" }));
        Assert.Equal(AgentFork.BaseFiles["/src/util.py"].Replace("return a + b", "return b + a", StringComparison.Ordinal), _fork.ReadFork("/src/util.py"));
    }

    [Fact]
    public async Task Edit_file_fails_clearly_when_the_old_text_is_missing_or_not_unique_and_changes_nothing()
    {
        var missing = await _fork.Error("edit_file", new { path = "src/util.py", old_text = "return a * b", new_text = "x" });
        Assert.Contains("not found in /src/util.py", missing, StringComparison.Ordinal);
        var twice = await _fork.Error("edit_file", new { path = "src/util.py", old_text = "(a, b):", new_text = "(x, y):" });
        Assert.Contains("occurs 2 times", twice, StringComparison.Ordinal);
        Assert.Contains("Empty", (await _fork.Error("edit_file", new { path = "src/util.py", old_text = "", new_text = "x" })).Replace("empty", "Empty", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(AgentFork.BaseFiles["/src/util.py"], _fork.ReadFork("/src/util.py"));
        Assert.Empty(_fork.Store.Diff(_fork.Options.BaseSnapshot!, "/forks/agent"));
    }

    [Fact]
    public async Task Edit_file_with_replace_all_replaces_every_occurrence()
    {
        Assert.Equal("replaced 2 occurrences in /src/util.py", await _fork.Ok("edit_file", new { path = "src/util.py", old_text = "(a, b):", new_text = "(x, y):", replace_all = true }));
        Assert.Equal(2, _fork.ReadFork("/src/util.py").Split("(x, y):").Length - 1);
    }

    [Fact]
    public async Task Edit_file_refuses_a_file_that_is_not_utf8_text()
    {
        await _fork.Fork.WriteAllBytesAsync("/latin1.txt", new byte[] { 0x63, 0x61, 0x66, 0xE9 });
        Assert.Contains("not UTF-8", await _fork.Error("edit_file", new { path = "latin1.txt", old_text = "caf", new_text = "x" }), StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0x63, 0x61, 0x66, 0xE9 }, await _fork.Fork.ReadAllBytesAsync("/latin1.txt"));
    }
}
