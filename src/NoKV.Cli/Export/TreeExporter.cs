namespace NoKV.Cli.Export;

/// <summary>
/// Writes a tree out as real files, the way it is stored: directories, files (bytes, mode,
/// mtime), symbolic links as links (target as stored, never followed, mtime where the platform
/// can set a link's own), and owners when the process may set them (root), else the exporting
/// user owns everything. Nothing is written outside the output directory: every entry is created
/// with a call that fails when anything is already at its path (mkdir, O_CREAT|O_EXCL, symlink),
/// so no existing link is ever traversed, and links from the tree are created, never entered.
/// A directory's mode and mtime are set after its contents are written.
/// </summary>
internal sealed class TreeExporter(ReadTarget source, bool setOwners)
{
    public long Files { get; private set; }
    public long Links { get; private set; }
    public long Bytes { get; private set; }

    /// <summary>Exports the directory <paramref name="dir"/> into <paramref name="output"/> (which must exist and be empty), then gives it the directory's attributes.</summary>
    public async Task ExportAsync(string dir, string output, CancellationToken cancellationToken)
    {
        await ExportChildrenAsync(dir, output, cancellationToken).ConfigureAwait(false);
        SetAttributes(output, await source.StatAsync(dir, cancellationToken).ConfigureAwait(false));
    }

    private async Task ExportChildrenAsync(string dir, string output, CancellationToken cancellationToken)
    {
        foreach (var node in await source.ListAsync(dir, cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Names are NoKV-validated (no '/', NUL, "." or ".."): the path stays directly under output.
            var destination = Path.Combine(output, node.Name);
            switch (node.Kind)
            {
                case NodeKind.Directory:
                    CreateDirectory(destination);
                    await ExportChildrenAsync(node.Path, destination, cancellationToken).ConfigureAwait(false);
                    break;
                case NodeKind.SymbolicLink:
                    // symlink(2) fails if anything is at the path; the target is text, never resolved.
                    File.CreateSymbolicLink(destination, node.LinkTarget!);
                    Links++;
                    break;
                default:
                    await WriteFileAsync(node, destination, cancellationToken).ConfigureAwait(false);
                    break;
            }
            SetAttributes(destination, node);
        }
    }

    private async Task WriteFileAsync(NodeInfo node, string destination, CancellationToken cancellationToken)
    {
        var input = await source.OpenReadAsync(node.Path, cancellationToken).ConfigureAwait(false);
        await using (input.ConfigureAwait(false))
        {
            // CreateNew is O_CREAT|O_EXCL: it fails on an existing path, a link (even dangling) included.
            var file = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false)) await input.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }
        Files++;
        Bytes += node.Length;
    }

    private static void CreateDirectory(string path)
    {
        if (PosixCalls.Available)
        {
            if (!PosixCalls.TryCreateDirectory(path)) throw new IOException($"refusing to export into '{path}': something is already there");
            return;
        }
        if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
            throw new IOException($"refusing to export into '{path}': something is already there");
        Directory.CreateDirectory(path);
    }

    /// <summary>Owner first (chown clears setuid/setgid), then mode, then mtime (neither moves it).</summary>
    private void SetAttributes(string path, NodeInfo node)
    {
        if (setOwners && PosixCalls.Available) PosixCalls.SetOwner(path, (uint)node.OwnerId, (uint)node.GroupId);
        if (node.Kind != NodeKind.SymbolicLink && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, node.Mode);
        if (PosixCalls.Available) PosixCalls.SetLastWriteTime(path, node.LastWriteTime);
        else if (node.Kind == NodeKind.Directory) Directory.SetLastWriteTimeUtc(path, node.LastWriteTime.UtcDateTime);
        else if (node.Kind == NodeKind.File) File.SetLastWriteTimeUtc(path, node.LastWriteTime.UtcDateTime);
        // Elsewhere a link keeps the time it was created at: .NET sets times through links.
    }
}
