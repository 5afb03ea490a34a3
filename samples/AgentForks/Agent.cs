using NoKV;

/// <summary>A stand-in agent: edits three files, adds two, deletes one, all in its own fork.</summary>
internal static class Agent
{
    public static async Task<long> WorkAsync(Workspace ws, int agent, CancellationToken ct)
    {
        var random = new Random(agent);
        long written = 0;
        for (var edit = 0; edit < 3; edit++)
        {
            var i = random.Next(BaseTree.SourceFiles);
            written += await WriteAsync(ws, $"/src/module{i % 10}/Type{i}.cs", $"// rewritten by agent {agent}\n", ct);
        }
        ws.CreateDirectory($"/notes");
        written += await WriteAsync(ws, $"/notes/agent-{agent}.md", $"# agent {agent}\nplan, results\n", ct);
        written += await WriteAsync(ws, $"/src/module{agent % 10}/New{agent}.cs", $"class New{agent} {{}}\n", ct);
        var victim = random.Next(BaseTree.SourceFiles);
        var path = $"/src/module{victim % 10}/Type{victim}.cs";
        if (ws.Exists(path)) ws.Delete(path);
        return written;
    }

    private static async Task<long> WriteAsync(Workspace ws, string path, string text, CancellationToken ct)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        await ws.WriteAllBytesAsync(path, bytes, ct);
        return bytes.Length;
    }
}
