namespace NoKV.AI;

/// <summary>
/// Turns a path as a model writes it into a workspace path. Models write "src/a.cs", "./src",
/// "/src/" or "." for the same places; all become "/src/a.cs"-style paths rooted at the
/// workspace. Nothing is resolved here: ".." and every other rule is left to NoKV's path rules,
/// which reject it, so no spelling can reach outside the workspace (an absolute host path such
/// as "/etc/passwd" names a path inside the workspace, never the host's file).
/// </summary>
internal static class ToolPaths
{
    public static string Normalize(string? path, string argument = "path")
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ToolException($"'{argument}' is empty: give a path inside the workspace such as \"src/main.py\" (\"/\" is the workspace root).");
        var trimmed = path;
        if (trimmed == "." || trimmed == "./") return "/";
        if (trimmed.StartsWith("./", StringComparison.Ordinal)) trimmed = trimmed[2..];
        if (!trimmed.StartsWith('/')) trimmed = "/" + trimmed;
        if (trimmed.Length > 1 && trimmed.EndsWith('/')) trimmed = trimmed.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed;
    }

    /// <summary>The parent of a normalized path ("/" for a top-level name).</summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    /// <summary>Joins a normalized directory path and a name.</summary>
    public static string Join(string directory, string name) => directory == "/" ? "/" + name : directory + "/" + name;

    /// <summary>A path relative to <paramref name="root"/>, for globs ("/src/a.cs" under "/src" is "a.cs").</summary>
    public static string Relative(string root, string path) => root == "/" ? path[1..] : path[(root.Length + 1)..];
}
