using NoKV;

/// <summary>Moving a workspace tree to a real directory and back, links, modes and mtimes included.</summary>
internal static class Sandbox
{
    /// <summary>
    /// Writes the tree out: files with their mode and mtime, symbolic links as links (never
    /// followed), directories' mode and mtime after their contents. The target must not exist, so
    /// every entry is new and nothing can be written through a link already on disk. Owners are
    /// not set (a sandbox runs as the current user).
    /// </summary>
    public static async Task ExportAsync(Workspace ws, string dir, string target)
    {
        if (Path.Exists(target)) throw new IOException($"{target} already exists");
        Directory.CreateDirectory(target);
        await ExportChildrenAsync(ws, dir, target);
        Finish(target, ws.Stat(dir));
    }

    private static async Task ExportChildrenAsync(Workspace ws, string dir, string target)
    {
        foreach (var node in ws.List(dir))
        {
            var path = Path.Combine(target, node.Name);
            switch (node.Kind)
            {
                case NodeKind.Directory:
                    Directory.CreateDirectory(path);
                    await ExportChildrenAsync(ws, node.Path, path);
                    break;
                case NodeKind.SymbolicLink:
                    File.CreateSymbolicLink(path, node.LinkTarget!);
                    continue; // .NET would set a time or mode through the link: leave the link as created
                default:
                    await using (var input = ws.OpenRead(node.Path))
                    await using (var output = new FileStream(path, FileMode.CreateNew))
                        await input.CopyToAsync(output);
                    break;
            }
            Finish(path, node);
        }
    }

    private static void Finish(string path, NodeInfo node)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, node.Mode);
        if (node.Kind == NodeKind.Directory) Directory.SetLastWriteTimeUtc(path, node.LastWriteTime.UtcDateTime);
        else File.SetLastWriteTimeUtc(path, node.LastWriteTime.UtcDateTime);
    }

    /// <summary>
    /// Makes the workspace directory match the real one, writing only files whose bytes changed
    /// (so untouched files keep their generation and do not show up as Modified), recreating
    /// links whose target changed (never following one), copying mode changes (a chmod +x by the
    /// tool), and deleting what the tool removed.
    /// </summary>
    public static async Task<int> SyncBackAsync(string source, Workspace ws, string dir)
    {
        var written = 0;
        var existing = ws.List(dir).ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var path = dir == "/" ? "/" + entry.Name : dir + "/" + entry.Name;
            existing.Remove(entry.Name, out var current);
            if (entry.LinkTarget is { } linkTarget)
            {
                if (current is { Kind: NodeKind.SymbolicLink } && current.LinkTarget == linkTarget) continue;
                if (current is not null) ws.Delete(path, recursive: true);
                ws.CreateSymbolicLink(path, linkTarget);
                written++;
                continue;
            }
            if (entry is DirectoryInfo sub)
            {
                if (current is { Kind: not NodeKind.Directory }) { ws.Delete(path); current = null; }
                if (current is null) { ws.CreateDirectory(path); written++; }
                written += await SyncBackAsync(sub.FullName, ws, path);
                written += SyncMode(ws, path, entry);
                continue;
            }
            var bytes = await File.ReadAllBytesAsync(entry.FullName);
            if (current is { Kind: NodeKind.Directory }) ws.Delete(path, recursive: true);
            else if (current is { Kind: NodeKind.SymbolicLink }) ws.Delete(path);
            else if (current is not null && (await ws.ReadAllBytesAsync(path)).AsSpan().SequenceEqual(bytes))
            {
                written += SyncMode(ws, path, entry);
                continue;
            }
            await ws.WriteAllBytesAsync(path, bytes);
            SyncMode(ws, path, entry);
            written++;
        }
        foreach (var gone in existing.Values)
        {
            ws.Delete(gone.Path, recursive: true);
            written++;
        }
        return written;
    }

    /// <summary>Copies the real entry's mode to the workspace node if it differs; 1 if it did.</summary>
    private static int SyncMode(Workspace ws, string path, FileSystemInfo entry)
    {
        if (OperatingSystem.IsWindows() || ws.Stat(path).Mode == entry.UnixFileMode) return 0;
        ws.SetUnixFileMode(path, entry.UnixFileMode);
        return 1;
    }
}
