using NoKV;

/// <summary>Moving a workspace tree to a real directory and back.</summary>
internal static class Sandbox
{
    public static async Task ExportAsync(Workspace ws, string dir, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var node in ws.List(dir))
        {
            var path = Path.Combine(target, node.Name);
            if (node.Kind == NodeKind.Directory)
            {
                await ExportAsync(ws, node.Path, path);
                continue;
            }
            await using var input = ws.OpenRead(node.Path);
            await using var output = File.Create(path);
            await input.CopyToAsync(output);
        }
    }

    /// <summary>
    /// Makes the workspace directory match the real one, writing only files whose bytes changed
    /// (so untouched files keep their generation and do not show up as Modified) and deleting
    /// what the tool removed. Symbolic links the tool made are not followed.
    /// </summary>
    public static async Task<int> SyncBackAsync(string source, Workspace ws, string dir)
    {
        var written = 0;
        var existing = ws.List(dir).ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null) continue;
            var path = dir == "/" ? "/" + entry.Name : dir + "/" + entry.Name;
            existing.Remove(entry.Name, out var current);
            if (entry is DirectoryInfo sub)
            {
                if (current is { Kind: NodeKind.File }) { ws.Delete(path); current = null; }
                if (current is null) { ws.CreateDirectory(path); written++; }
                written += await SyncBackAsync(sub.FullName, ws, path);
                continue;
            }
            var bytes = await File.ReadAllBytesAsync(entry.FullName);
            if (current is { Kind: NodeKind.Directory }) ws.Delete(path, recursive: true);
            else if (current is not null && (await ws.ReadAllBytesAsync(path)).AsSpan().SequenceEqual(bytes)) continue;
            await ws.WriteAllBytesAsync(path, bytes);
            written++;
        }
        foreach (var gone in existing.Values)
        {
            ws.Delete(gone.Path, recursive: true);
            written++;
        }
        return written;
    }
}
