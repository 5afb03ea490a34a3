using System.Text;

namespace NoKV.Paths;

/// <summary>
/// The rules every path given to NoKV must follow. Paths are absolute ('/'-rooted), with no
/// empty, '.' or '..' segments, so a path can never resolve outside its workspace; names are
/// stored as their exact UTF-8 bytes (no Unicode normalisation: "é" and "e\u0301" are two names).
/// </summary>
/// <remarks>
/// The limits apply to each path inside a workspace (its "inner" path, as a
/// <see cref="Workspace"/> takes it) and to each workspace path, separately. A store path
/// ("/forks/a/src/x": a workspace path followed by an inner path) may therefore be as long as
/// the two together; its inner part is held to the inner limits once the workspace is found.
/// Every operation that creates an inner path checks it, including the paths a move, promote
/// or import creates below the node it places; a clone never lengthens an inner path (a clone
/// of a directory makes that directory the new root), so it needs no check.
/// </remarks>
internal static class PathRules
{
    /// <summary>The longest name (one path segment), in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>The longest path inside a workspace, in UTF-8 bytes (each segment counts its bytes plus one for its '/').</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>The deepest path inside a workspace, in segments.</summary>
    public const int MaxDepth = 256;

    /// <summary>The longest workspace path, in UTF-8 bytes: it is an LMDB key, and LMDB keys stop at 511 bytes.</summary>
    public const int MaxWorkspacePathBytes = 500;

    /// <summary>The longest store path: the longest workspace path followed by the longest inner path.</summary>
    public const int MaxStorePathBytes = MaxWorkspacePathBytes + MaxPathBytes;

    /// <summary>The deepest store path: a workspace path (at most one segment per two bytes) followed by the deepest inner path.</summary>
    public const int MaxStorePathDepth = MaxWorkspacePathBytes / 2 + MaxDepth;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Splits an absolute path inside a workspace into validated segments ("/" gives none).</summary>
    public static string[] Split(string? path, string paramName = "path") => Split(path, paramName, MaxDepth, MaxPathBytes);

    /// <summary>
    /// Splits a store path (a workspace path followed by a path inside it) into validated
    /// segments, within the store-path limits. Where the workspace ends is not known yet: the
    /// caller checks the inner part with <see cref="CheckInner"/> once it has found it.
    /// </summary>
    public static string[] SplitStorePath(string? path, string paramName) => Split(path, paramName, MaxStorePathDepth, MaxStorePathBytes);

    /// <summary>Splits and validates a workspace path (never "/": the caller checks that).</summary>
    public static string[] SplitWorkspacePath(string? path, string paramName)
    {
        var segments = Split(path, paramName);
        if (PathBytes(segments) > MaxWorkspacePathBytes)
            throw new InvalidPathException(path, $"a workspace path may be at most {MaxWorkspacePathBytes} UTF-8 bytes", paramName);
        return segments;
    }

    /// <summary>Holds the part of a store path inside its workspace to the limits of a path inside a workspace.</summary>
    public static void CheckInner(ReadOnlySpan<string> inner, string storePath, string paramName)
    {
        if (inner.Length > MaxDepth) throw new InvalidPathException(storePath, $"the path inside the workspace is deeper than {MaxDepth} segments", paramName);
        if (PathBytes(inner) > MaxPathBytes) throw new InvalidPathException(storePath, $"the path inside the workspace is longer than {MaxPathBytes} UTF-8 bytes", paramName);
    }

    private static string[] Split(string? path, string paramName, int maxDepth, int maxBytes)
    {
        if (path is null) throw new InvalidPathException(path, "the path is null", paramName);
        if (path.Length == 0) throw new InvalidPathException(path, "the path is empty", paramName);
        if (path[0] != '/') throw new InvalidPathException(path, "the path must be absolute (start with '/')", paramName);
        if (path.Length == 1) return [];
        if (path[^1] == '/') throw new InvalidPathException(path, "the path may not end with '/'", paramName);

        var segments = path[1..].Split('/');
        if (segments.Length > maxDepth) throw new InvalidPathException(path, $"the path is deeper than {maxDepth} segments", paramName);
        var totalBytes = 0;
        foreach (var segment in segments)
        {
            totalBytes += ValidateName(segment, path, paramName) + 1;
        }
        if (totalBytes > maxBytes) throw new InvalidPathException(path, $"the path is longer than {maxBytes} UTF-8 bytes", paramName);
        return segments;
    }

    /// <summary>The UTF-8 length of the path the (valid) segments make: each name's bytes plus one for its '/'.</summary>
    public static int PathBytes(ReadOnlySpan<string> segments)
    {
        var total = 0;
        foreach (var segment in segments) total += Encoding.UTF8.GetByteCount(segment) + 1;
        return total;
    }

    /// <summary>
    /// Why a path inside a workspace <paramref name="depth"/> segments deep and
    /// <paramref name="bytes"/> long would break the limits, or null if it would not.
    /// </summary>
    public static string? LimitBroken(int depth, int bytes) =>
        depth > MaxDepth ? $"is deeper than {MaxDepth} segments"
        : bytes > MaxPathBytes ? $"is longer than {MaxPathBytes} UTF-8 bytes"
        : null;

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

    /// <summary>
    /// Validates a symbolic link's target and returns its UTF-8 bytes: not empty, no NUL, valid
    /// UTF-16, at most 4,095 UTF-8 bytes. Anything else goes, absolute, dangling or "..", since
    /// NoKV never resolves it.
    /// </summary>
    public static byte[] LinkTargetBytes(string? target, string paramName)
    {
        ArgumentNullException.ThrowIfNull(target, paramName);
        if (target.Length == 0) throw new InvalidPathException(target, "a link target cannot be empty", paramName);
        if (target.Contains('\0', StringComparison.Ordinal)) throw new InvalidPathException(target, "a link target cannot hold a NUL character", paramName);
        byte[] bytes;
        try { bytes = StrictUtf8.GetBytes(target); }
        catch (EncoderFallbackException) { throw new InvalidPathException(target, "invalid UTF-16 in a link target (an unpaired surrogate)", paramName); }
        if (bytes.Length > Lmdb.InodeRecord.MaxLinkTargetBytes) throw new InvalidPathException(target, $"a link target is longer than {Lmdb.InodeRecord.MaxLinkTargetBytes} UTF-8 bytes", paramName);
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
