using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace NoKV.Tests;

/// <summary>
/// `nokv mcp` as a child process, driven by the MCP SDK's own client over stdio: list the tools,
/// fork, write, diff, snapshot, roll back, get tool errors for bad arguments, promote and drop —
/// and the store afterwards holds exactly what the calls did.
/// </summary>
public sealed class McpServerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-mcp-tests", Guid.NewGuid().ToString("N"));

    public McpServerTests()
    {
        using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = StoreDirectory });
        var baseWorkspace = store.CreateWorkspace("/base");
        baseWorkspace.WriteAllBytesAsync("/README.md", Encoding.UTF8.GetBytes("# base\n")).GetAwaiter().GetResult();
    }

    private string StoreDirectory => Path.Combine(_root, "store");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task An_mcp_client_forks_writes_diffs_rolls_back_promotes_and_drops()
    {
        await using (var client = await ConnectAsync())
        {
            var tools = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
            string[] expected = ["fork", "list_forks", "read_file", "write_file", "edit_file", "list_directory", "find_files", "search_text", "delete_path", "move_path", "diff", "snapshot", "rollback", "promote", "drop"];
            Assert.Equal(CanMount ? [.. expected, "mount"] : expected, tools);
            var writeSchema = (await client.ListToolsAsync()).Single(t => t.Name == "write_file").JsonSchema;
            Assert.Equal(["fork", "path", "content"], writeSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));

            Assert.Contains("/forks/agent-1", await Ok(client, "fork", new() { ["base"] = "/base", ["name"] = "agent-1" }), StringComparison.Ordinal);
            Assert.Equal("agent-1", await Ok(client, "list_forks", new()));
            Assert.Equal("created /notes.txt (5 bytes)", await Ok(client, "write_file", new() { ["fork"] = "agent-1", ["path"] = "notes.txt", ["content"] = "hello" }));
            Assert.Equal("A /notes.txt", await Ok(client, "diff", new() { ["fork"] = "agent-1" }));

            var snapshot = await Ok(client, "snapshot", new() { ["fork"] = "agent-1" });
            var id = long.Parse(snapshot.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            await Ok(client, "write_file", new() { ["fork"] = "agent-1", ["path"] = "scratch.txt", ["content"] = "throw away" });
            await Ok(client, "delete_path", new() { ["fork"] = "agent-1", ["path"] = "README.md" });
            Assert.Equal("D /README.md\nA /notes.txt\nA /scratch.txt", await Ok(client, "diff", new() { ["fork"] = "agent-1" }));
            await Ok(client, "rollback", new() { ["fork"] = "agent-1", ["snapshot_id"] = id });
            Assert.Equal("A /notes.txt", await Ok(client, "diff", new() { ["fork"] = "agent-1" }));
            Assert.Equal("hello", await Ok(client, "read_file", new() { ["fork"] = "agent-1", ["path"] = "/notes.txt" }));

            // Bad arguments are tool errors with the reason; the session goes on.
            Assert.Contains("..", await Error(client, "read_file", new() { ["fork"] = "agent-1", ["path"] = "../base/README.md" }), StringComparison.Ordinal);
            Assert.Contains("not a fork name", await Error(client, "write_file", new() { ["fork"] = "../base", ["path"] = "x", ["content"] = "x" }), StringComparison.Ordinal);
            Assert.Contains("no fork 'ghost'", await Error(client, "read_file", new() { ["fork"] = "ghost", ["path"] = "x" }), StringComparison.Ordinal);
            Assert.Contains("occurs", await Error(client, "edit_file", new() { ["fork"] = "agent-1", ["path"] = "notes.txt", ["old_text"] = "l", ["new_text"] = "L" }), StringComparison.Ordinal);
            Assert.Contains("'fork' is required", await Error(client, "diff", new()), StringComparison.Ordinal);
            Assert.Contains("was not taken by these tools", await Error(client, "rollback", new() { ["fork"] = "agent-1", ["snapshot_id"] = 999 }), StringComparison.Ordinal);

            Assert.StartsWith("promoted /forks/agent-1 into /base (fast-forward): ", await Ok(client, "promote", new() { ["fork"] = "agent-1" }), StringComparison.Ordinal);
            Assert.Equal("dropped /forks/agent-1", await Ok(client, "drop", new() { ["fork"] = "agent-1" }));
            Assert.StartsWith("no forks yet", await Ok(client, "list_forks", new()), StringComparison.Ordinal);
        }

        // The server has exited and closed the store: it holds exactly what the calls did.
        using var store = await OpenWhenReleasedAsync();
        var baseWorkspace = store.OpenWorkspace("/base");
        Assert.Equal(["README.md", "notes.txt"], baseWorkspace.List("/").Select(n => n.Name));
        Assert.Equal("hello", Encoding.UTF8.GetString(await baseWorkspace.ReadAllBytesAsync("/notes.txt")));
        Assert.Equal(["/base"], store.ListWorkspaces().Select(w => w.Path));
        Assert.Single(store.ListSnapshots()); // the promote's own snapshot of the base; the fork's are released
    }

    [Fact]
    public async Task Stdout_carries_only_json_rpc_messages()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { ToolPath, "--store", StoreDirectory, "mcp" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""");
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"read_file","arguments":{"fork":"nope","path":"x"}}}""");
        await process.StandardInput.FlushAsync();

        var lines = new List<string>();
        while (lines.Count < 3 && await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)) is { } line) lines.Add(line);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "nokv mcp did not exit when stdin closed");
        lines.AddRange((await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(0, process.ExitCode);
        Assert.All(lines, l => Assert.Equal("2.0", JsonDocument.Parse(l).RootElement.GetProperty("jsonrpc").GetString()));
        var call = JsonDocument.Parse(lines.Single(l => l.Contains("\"id\":3", StringComparison.Ordinal))).RootElement.GetProperty("result");
        Assert.True(call.GetProperty("isError").GetBoolean());
        Assert.Contains("no fork 'nope'", call.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("nokv mcp: serving ", await stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Mount_gives_shell_tools_a_real_directory_of_the_fork()
    {
        Skip.IfNot(CanMount || Environment.GetEnvironmentVariable("CI") == "true", "FUSE mounts need Linux, /dev/fuse and root.");
        string directory;
        await using (var client = await ConnectAsync())
        {
            await Ok(client, "fork", new() { ["base"] = "/base", ["name"] = "shell" });
            directory = await Ok(client, "mount", new() { ["fork"] = "shell" });
            Assert.Equal("# base\n", await File.ReadAllTextAsync(Path.Combine(directory, "README.md")));
            await File.WriteAllTextAsync(Path.Combine(directory, "from-shell.txt"), "made by a shell tool");
            Assert.Equal("A /from-shell.txt", await Ok(client, "diff", new() { ["fork"] = "shell" }));
            Assert.Equal("made by a shell tool", await Ok(client, "read_file", new() { ["fork"] = "shell", ["path"] = "from-shell.txt" }));
            Assert.Equal("dropped /forks/shell", await Ok(client, "drop", new() { ["fork"] = "shell" }));
            Assert.False(File.Exists(Path.Combine(directory, "README.md")), "the fork is still mounted after drop");
        }
        using var store = await OpenWhenReleasedAsync();
        Assert.Equal(["/base"], store.ListWorkspaces().Select(w => w.Path));
    }

    private static bool CanMount => OperatingSystem.IsLinux() && File.Exists("/dev/fuse") && Environment.UserName == "root";

    private Task<McpClient> ConnectAsync() => McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
    {
        Name = "nokv",
        Command = "dotnet",
        Arguments = [ToolPath, "--store", StoreDirectory, "mcp"],
    }));

    private static async Task<string> Ok(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        var text = string.Join('\n', result.Content.OfType<TextContentBlock>().Select(b => b.Text));
        Assert.False(result.IsError == true, $"{tool} failed: {text}");
        return text;
    }

    private static async Task<string> Error(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        var text = string.Join('\n', result.Content.OfType<TextContentBlock>().Select(b => b.Text));
        Assert.True(result.IsError, $"{tool} should have failed: {text}");
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return text;
    }

    /// <summary>The server process may take a moment to exit after the client disconnects.</summary>
    private async Task<WorkspaceStore> OpenWhenReleasedAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = StoreDirectory }); }
            catch (StoreLockedException) when (attempt < 100) { await Task.Delay(100); }
        }
    }

    private static string ToolPath
    {
        get
        {
            // tests/NoKV.AI.Tests/bin/{Configuration}/net10.0/ → src/NoKV.Cli/bin/{Configuration}/net10.0/nokv.dll
            var here = new DirectoryInfo(AppContext.BaseDirectory);
            var dir = here;
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NoKV.sln"))) dir = dir.Parent;
            var tool = Path.Combine(dir!.FullName, "src", "NoKV.Cli", "bin", here.Parent!.Name, here.Name, "nokv.dll");
            return File.Exists(tool) ? tool : throw new FileNotFoundException("Build src/NoKV.Cli first.", tool);
        }
    }
}
