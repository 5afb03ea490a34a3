namespace NoKV.AI;

internal sealed partial class ToolSession
{
    /// <summary>list_directory: one line per entry, directories with a trailing '/', files with their size, links with their target.</summary>
    public async Task<string> ListDirectoryAsync(string? path, CancellationToken cancellationToken)
    {
        var directory = ToolPaths.Normalize(path ?? "/");
        var text = new BoundedText(options.MaxResultChars);
        var shown = 0;
        await foreach (var node in workspace.EnumerateAsync(directory, cancellationToken).ConfigureAwait(false))
        {
            if (!text.TryAppendLine(EntryLine(node))) break;
            shown++;
        }
        if (shown == 0 && !text.Full) return $"{directory} is an empty directory.";
        return text.Finish($"showing the first {shown:N0} entries of {directory}; use find_files with a pattern to narrow it", text.Full);
    }

    /// <summary>find_files: paths below a directory that match a glob, in breadth-first name order.</summary>
    public async Task<string> FindFilesAsync(string pattern, string? path, CancellationToken cancellationToken)
    {
        var root = ToolPaths.Normalize(path ?? "/");
        var glob = new Glob(pattern);
        var walk = new TreeWalk(workspace, root, options.MaxVisitedEntries);
        var text = new BoundedText(options.MaxResultChars);
        var found = 0;
        var stoppedAtLimit = false;
        await foreach (var (entryPath, node) in walk.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!glob.IsMatch(ToolPaths.Relative(root, entryPath))) continue;
            if (found == options.MaxSearchMatches || !text.TryAppendLine(node.Kind == NodeKind.Directory ? entryPath + "/" : entryPath))
            {
                stoppedAtLimit = true;
                break;
            }
            found++;
        }
        if (found == 0 && !stoppedAtLimit && !walk.Exhausted) return $"no path below {root} matches {pattern}.";
        var truncated = stoppedAtLimit || walk.Exhausted;
        var why = walk.Exhausted
            ? $"stopped after visiting {options.MaxVisitedEntries:N0} entries; narrow the pattern or the directory"
            : $"showing the first {found:N0} matches; narrow the pattern or the directory";
        return text.Finish(why, truncated);
    }

    /// <summary>delete_path: deletes a file, link or directory (a non-empty directory only with recursive).</summary>
    public string DeletePath(string path, bool recursive)
    {
        var target = ToolPaths.Normalize(path);
        if (target == "/") throw new ToolException("the workspace root cannot be deleted; delete the entries inside it instead.");
        var node = workspace.Stat(target);
        workspace.Delete(target, recursive);
        return $"deleted {Describe(node.Kind)} {target}";
    }

    /// <summary>move_path: moves or renames a file or directory; the destination's missing parents are created.</summary>
    public string MovePath(string from, string to)
    {
        var source = ToolPaths.Normalize(from, "from");
        var destination = ToolPaths.Normalize(to, "to");
        if (source == "/") throw new ToolException("the workspace root cannot be moved.");
        var node = workspace.Stat(source);
        // Checked before the destination's parents are created, so a refused move changes nothing.
        if (destination.StartsWith(source + "/", StringComparison.Ordinal)) throw new ToolException($"{source} cannot be moved into itself ({destination}).");
        if (workspace.Exists(destination)) throw new ToolException($"{destination} already exists; delete it first or choose another destination.");
        using (var parents = CreatedParents.Create(workspace, destination))
        {
            workspace.Move(source, destination);
            parents.Keep();
        }
        return $"moved {Describe(node.Kind)} {source} to {destination}";
    }

    private static string EntryLine(NodeInfo node) => node.Kind switch
    {
        NodeKind.Directory => node.Name + "/",
        NodeKind.SymbolicLink => $"{node.Name} -> {node.LinkTarget} (symbolic link, not followed)",
        _ => $"{node.Name} ({Plural(node.Length, "byte")})",
    };
}
