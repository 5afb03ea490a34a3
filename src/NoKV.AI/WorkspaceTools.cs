using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace NoKV.AI;

/// <summary>
/// Microsoft.Extensions.AI tools over one workspace (usually a fork), for any
/// <see cref="IChatClient"/> with function invocation. Every path a model passes is a path inside
/// the workspace ("src/a.py" and "/src/a.py" are the same file): NoKV's path rules reject ".."
/// and never follow a link, so no argument reaches another workspace or the host's files.
/// </summary>
public static class WorkspaceTools
{
    /// <summary>The names of the tools <see cref="Create"/> makes, in order; the read-only ones are <see cref="ReadOnlyNames"/>.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["read_file", "write_file", "edit_file", "list_directory", "find_files", "search_text", "delete_path", "move_path", "diff", "snapshot", "rollback"];

    /// <summary>The tools created when <see cref="WorkspaceToolOptions.ReadOnly"/> is set.</summary>
    public static IReadOnlyList<string> ReadOnlyNames { get; } = ["read_file", "list_directory", "find_files", "search_text", "diff"];

    /// <summary>
    /// The tools' names, descriptions and JSON schemas, without a workspace: for a server that
    /// offers the same tools over another protocol (nokv mcp adds a "fork" argument to each).
    /// </summary>
    public static IReadOnlyList<AIFunctionDeclaration> Declarations { get; } = [.. Definitions(null).Select(tool => tool.AsDeclarationOnly())];

    /// <summary>
    /// Creates the tools: read_file (with line ranges), write_file, edit_file (exact replacement),
    /// list_directory, find_files (glob), search_text (regex), delete_path, move_path, diff
    /// (against the base or a snapshot, optionally with unified hunks), snapshot and rollback (to
    /// a snapshot these tools took, or the base). Results are plain text within the limits of
    /// <paramref name="options"/>, saying "truncated" when cut; a call the model got wrong returns
    /// a <see cref="WorkspaceToolError"/> with the reason instead of throwing. One set of tools
    /// keeps the snapshot ids it took; create one set per agent. Those snapshots stay pinned (and
    /// keep their blocks) until released with <see cref="WorkspaceStore.ReleaseSnapshot"/>, even
    /// after the fork is deleted; <see cref="WorkspaceStore.ListSnapshots(string)"/> lists them.
    /// </summary>
    /// <param name="workspace">The workspace the tools act on, and nothing else.</param>
    /// <param name="options">Limits, read-only mode and the base snapshot; null for the defaults.</param>
    public static IReadOnlyList<AIFunction> Create(Workspace workspace, WorkspaceToolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var session = new ToolSession(workspace, options ?? new WorkspaceToolOptions());
        var tools = Definitions(session).Where(tool => !session.Options.ReadOnly || ReadOnlyNames.Contains(tool.Name));
        return [.. tools.Select(tool => new GuardedFunction(tool))];
    }

    // Parameter names are the JSON argument names the model sees, hence snake_case.
#pragma warning disable IDE1006
    // With a null session only the declarations are read (Declarations); no body runs.
    private static IEnumerable<AIFunction> Definitions(ToolSession? session)
    {
        var s = session!;
        yield return Tool("read_file",
            "Reads a text file of the workspace. Without a range it returns the whole file up to the read limit; a longer result ends with a [truncated: ...] line saying which start_line to read on from. Binary files are described, not shown.",
            ([Description("Path of the file inside the workspace, e.g. \"src/app.py\".")] string path,
             [Description("First line to return, counting from 1. Optional.")] int? start_line = null,
             [Description("Last line to return (inclusive). Optional.")] int? end_line = null,
             CancellationToken cancellationToken = default) => s.ReadFileAsync(path, start_line, end_line, cancellationToken));

        yield return Tool("write_file",
            "Creates a file, or replaces its whole content, with the given UTF-8 text. Missing parent directories are created. For a small change to an existing file use edit_file.",
            ([Description("Path of the file inside the workspace.")] string path,
             [Description("The complete new content of the file.")] string content,
             CancellationToken cancellationToken = default) => s.WriteFileAsync(path, content, cancellationToken));

        yield return Tool("edit_file",
            "Replaces exact text in a file. old_text must match the file exactly (whitespace and line breaks included) and occur exactly once, unless replace_all is true; otherwise the call fails and nothing changes.",
            ([Description("Path of the file inside the workspace.")] string path,
             [Description("The exact text to replace; include enough surrounding lines to make it unique.")] string old_text,
             [Description("The text to put in its place (may be empty to delete it).")] string new_text,
             [Description("Replace every occurrence instead of requiring exactly one. Default false.")] bool replace_all = false,
             CancellationToken cancellationToken = default) => s.EditFileAsync(path, old_text, new_text, replace_all, cancellationToken));

        yield return Tool("list_directory",
            "Lists a directory of the workspace: directories end with '/', files show their size, symbolic links their target (never followed).",
            ([Description("Directory inside the workspace; default \"/\", the workspace root.")] string? path = null,
             CancellationToken cancellationToken = default) => s.ListDirectoryAsync(path, cancellationToken));

        yield return Tool("find_files",
            "Finds paths matching a glob below a directory. '*' matches within a name, '?' one character, '**' any number of directories, [abc] a character class. A pattern without '/' matches names at any depth (\"*.py\" finds every Python file).",
            ([Description("Glob, e.g. \"**/*.cs\", \"src/*.json\" or \"README*\".")] string pattern,
             [Description("Directory to search below; default \"/\".")] string? path = null,
             CancellationToken cancellationToken = default) => s.FindFilesAsync(pattern, path, cancellationToken));

        yield return Tool("search_text",
            "Searches text files for lines matching a .NET regular expression; returns \"path:line: text\" lines, at most a limited number of matches. Binary files and very large files are skipped.",
            ([Description("Regular expression (.NET syntax), e.g. \"TODO|FIXME\" or \"def \\\\w+\\\\(\".")] string pattern,
             [Description("Directory (or single file) to search; default \"/\".")] string? path = null,
             [Description("Only search files whose path below 'path' matches this glob, e.g. \"*.py\". Optional.")] string? glob = null,
             [Description("Match without regard to case. Default false.")] bool ignore_case = false,
             CancellationToken cancellationToken = default) => s.SearchTextAsync(pattern, path, glob, ignore_case, cancellationToken));

        yield return Tool("delete_path",
            "Deletes a file, symbolic link or directory. A directory that is not empty is deleted only with recursive=true.",
            ([Description("Path inside the workspace.")] string path,
             [Description("Delete a non-empty directory with everything in it. Default false.")] bool recursive = false) => s.DeletePath(path, recursive));

        yield return Tool("move_path",
            "Moves or renames a file or directory. The destination must not exist; its missing parent directories are created.",
            ([Description("Path to move.")] string from,
             [Description("New path.")] string to) => s.MovePath(from, to));

        yield return Tool("diff",
            "Shows what changed in the workspace since a snapshot (by default the base it was forked from): one line per path, 'A' added, 'M' modified, 'D' deleted; with include_hunks, the changed lines of text files as unified diff hunks.",
            ([Description("Snapshot id to compare with (one the snapshot tool returned). Optional: the base by default.")] long? snapshot_id = null,
             [Description("Also show unified diff hunks of changed text files. Default false.")] bool include_hunks = false,
             CancellationToken cancellationToken = default) => s.DiffAsync(snapshot_id, include_hunks, cancellationToken));

        yield return Tool("snapshot",
            "Takes a snapshot of the whole workspace as it is now (instant) and returns its id, to roll back to or diff against later.",
            () => s.TakeSnapshot());

        yield return Tool("rollback",
            "Returns the whole workspace to a snapshot taken with the snapshot tool (or to the base): every change made after it is discarded.",
            ([Description("Id the snapshot tool returned.")] long snapshot_id) => s.Rollback(snapshot_id));
    }
#pragma warning restore IDE1006

    private static AIFunction Tool(string name, string description, Delegate body) =>
        AIFunctionFactory.Create(body, new AIFunctionFactoryOptions { Name = name, Description = description });
}
