using System.Text;

namespace NoKV.Paths;

/// <summary>
/// The rules every path given to NoKV must follow. Paths are absolute ('/'-rooted), with no
/// empty, '.' or '..' segments, so a path can never resolve outside its workspace; names are
/// stored as their exact UTF-8 bytes (no Unicode normalisation: "é" and "e\u0301" are two names).
/// </summary>
internal static class PathRules
{
    /// <summary>The longest name (one path segment), in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>The longest path, in UTF-8 bytes.</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>The deepest path, in segments.</summary>
    public const int MaxDepth = 256;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Splits an absolute path into validated segments ("/" gives none).</summary>
    public static string[] Split(string? path, string paramName = "path")
    {
        if (path is null) throw new InvalidPathException(path, "the path is null", paramName);
        if (path.Length == 0) throw new InvalidPathException(path, "the path is empty", paramName);
        if (path[0] != '/') throw new InvalidPathException(path, "the path must be absolute (start with '/')", paramName);
        if (path.Length == 1) return [];
        if (path[^1] == '/') throw new InvalidPathException(path, "the path may not end with '/'", paramName);

        var segments = path[1..].Split('/');
        if (segments.Length > MaxDepth) throw new InvalidPathException(path, $"the path is deeper than {MaxDepth} segments", paramName);
        var totalBytes = 0;
        foreach (var segment in segments)
        {
            totalBytes += ValidateName(segment, path, paramName) + 1;
        }
        if (totalBytes > MaxPathBytes) throw new InvalidPathException(path, $"the path is longer than {MaxPathBytes} UTF-8 bytes", paramName);
        return segments;
    }

    /// <summary>Validates one name and returns its UTF-8 length.</summary>
    public static int ValidateName(string name, string path, string paramName)
    {
        if (name.Length == 0) throw new InvalidPathException(path, "empty segment ('//')", paramName);
        if (name is "." or "..") throw new InvalidPathException(path, $"'{name}' segments are not allowed", paramName);
        foreach (var c in name)
        {
            if (c == '\0') throw new InvalidPathException(path, "NUL character", paramName);
            if (char.IsControl(c)) throw new InvalidPathException(path, "control character", paramName);
        }

        int bytes;
        try { bytes = StrictUtf8.GetByteCount(name); }
        catch (EncoderFallbackException) { throw new InvalidPathException(path, "invalid UTF-16 (an unpaired surrogate)", paramName); }
        if (bytes > MaxNameBytes) throw new InvalidPathException(path, $"a name is longer than {MaxNameBytes} UTF-8 bytes", paramName);
        return bytes;
    }

    /// <summary>Validates a path and returns it in canonical form.</summary>
    public static string Normalize(string? path, string paramName = "path") => Join(Split(path, paramName));

    /// <summary>Joins segments into an absolute path.</summary>
    public static string Join(IEnumerable<string> segments)
    {
        var sb = new StringBuilder();
        foreach (var s in segments) sb.Append('/').Append(s);
        return sb.Length == 0 ? "/" : sb.ToString();
    }

    /// <summary>Joins a parent path and a child name.</summary>
    public static string Combine(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;

    /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsSameOrBelow(string path, string ancestor) =>
        ancestor == "/" || path == ancestor || path.StartsWith(ancestor + "/", StringComparison.Ordinal);

    /// <summary>Encodes a (validated) name as UTF-8.</summary>
    public static byte[] NameBytes(string name) => Encoding.UTF8.GetBytes(name);
}
