namespace NoKV;

/// <summary>A path is malformed: relative, with '.', '..' or empty segments, a NUL or control character, an invalid surrogate, or a name or path over the limits.</summary>
public sealed class InvalidPathException : ArgumentException
{
    /// <summary>Creates the exception for a path and the rule it breaks.</summary>
    public InvalidPathException(string? path, string reason, string? paramName = null)
        : base($"Invalid path '{Printable(path)}': {reason}.", paramName)
    {
        InvalidPath = path;
    }

    /// <summary>The rejected path as given.</summary>
    public string? InvalidPath { get; }

    private static string Printable(string? path)
    {
        if (path is null) return "(null)";
        var chars = path.Length > 200 ? path[..200] + "…" : path;
        return string.Concat(chars.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
