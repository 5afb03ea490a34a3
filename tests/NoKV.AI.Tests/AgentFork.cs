using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using NoKV.AI;

namespace NoKV.Tests;

/// <summary>
/// A real store (LMDB + local block files) in a temporary directory with a base workspace
/// "/base" holding a small project, cloned into the fork "/forks/agent"; the tools act on the
/// fork with the clone's snapshot as their base.
/// </summary>
public sealed class AgentFork : IDisposable
{
    public static readonly IReadOnlyDictionary<string, string> BaseFiles = new Dictionary<string, string>
    {
        ["/README.md"] = "# Demo\nA small project.\n",
        ["/src/app.py"] = "def main():\n    print('hello')\n\nif __name__ == '__main__':\n    main()\n",
        ["/src/util.py"] = "def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n",
        ["/src/data/config.json"] = "{\"debug\": false}\n",
        ["/docs/notes.txt"] = "TODO: write docs\nTODO: add tests\n",
    };

    public AgentFork(WorkspaceToolOptions? options = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "nokv-ai-tests", Guid.NewGuid().ToString("N"));
        Store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = Directory });
        Base = Store.CreateWorkspace("/base");
        foreach (var (path, text) in BaseFiles)
        {
            Base.CreateDirectory(Path.GetDirectoryName(path)!.Replace('\\', '/'));
            Base.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(text)).GetAwaiter().GetResult();
        }
        Clone = Store.Clone("/base", "/forks/agent");
        Fork = Clone.Workspace;
        Options = options ?? new WorkspaceToolOptions();
        Options.BaseSnapshot = Store.GetSnapshot(Clone.SnapshotId);
        Tools = WorkspaceTools.Create(Fork, Options);
    }

    public string Directory { get; }
    public WorkspaceStore Store { get; }
    public Workspace Base { get; }
    public CloneHandle Clone { get; }
    public Workspace Fork { get; }
    public WorkspaceToolOptions Options { get; }
    public IReadOnlyList<AIFunction> Tools { get; }

    public AIFunction Tool(string name) => Tools.Single(t => t.Name == name);

    /// <summary>Calls a tool as a model would (arguments as JSON values); returns its text, or the error record.</summary>
    public async Task<object?> Call(string name, object? arguments = null)
    {
        var json = JsonSerializer.SerializeToElement(arguments ?? new { });
        var args = new AIFunctionArguments(json.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone()));
        return await Tool(name).InvokeAsync(args);
    }

    /// <summary>Calls a tool that must succeed; returns its text.</summary>
    public async Task<string> Ok(string name, object? arguments = null)
    {
        var result = await Call(name, arguments);
        Assert.False(result is WorkspaceToolError, $"{name} failed: {result}");
        return Text(result);
    }

    /// <summary>Calls a tool that must fail as a tool error; returns the error message.</summary>
    public async Task<string> Error(string name, object? arguments = null)
    {
        var result = await Call(name, arguments);
        var error = Assert.IsType<WorkspaceToolError>(result);
        Assert.DoesNotContain("   at ", error.Error, StringComparison.Ordinal);
        return error.Error;
    }

    public static string Text(object? result) => result switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        _ => throw new InvalidOperationException($"unexpected result {result?.GetType().Name}: {result}"),
    };

    public string ReadFork(string path) => Encoding.UTF8.GetString(Fork.ReadAllBytesAsync(path).GetAwaiter().GetResult());

    /// <summary>Every path and file content under a workspace, to show what did or did not change.</summary>
    public static SortedDictionary<string, string> Tree(Workspace workspace)
    {
        var tree = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Walk(string dir)
        {
            foreach (var node in workspace.List(dir))
            {
                var path = dir == "/" ? "/" + node.Name : dir + "/" + node.Name;
                if (node.Kind == NodeKind.Directory) { tree[path] = "<dir>"; Walk(path); }
                else if (node.Kind == NodeKind.SymbolicLink) tree[path] = "-> " + node.LinkTarget;
                else tree[path] = Encoding.UTF8.GetString(workspace.ReadAllBytesAsync(path).GetAwaiter().GetResult());
            }
        }
        Walk("/");
        return tree;
    }

    public void Dispose()
    {
        Store.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
