namespace NoKV;

/// <summary>
/// What a block key looks like, for every block store: one to <see cref="MaxSegmentLength"/>
/// characters per segment from [A-Za-z0-9._-], segments joined by '/', at most
/// <see cref="MaxKeyLength"/> characters in all. A segment may not be "." or "..", nor start with
/// <see cref="ReservedSegmentPrefix"/> (stores use that for their own temporary files). So a key is a
/// safe relative file path and a safe object name, and means the same in every store.
/// </summary>
public static class BlockKeyRules
{
    /// <summary>The longest a key may be, in characters.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>The longest one segment may be, in characters (a file name on common file systems).</summary>
    public const int MaxSegmentLength = 255;

    /// <summary>Segments starting with this are reserved for a store's own files and are never keys.</summary>
    public const string ReservedSegmentPrefix = ".tmp-";

    /// <summary>True if <paramref name="key"/> is a valid block key.</summary>
    public static bool IsValidKey(string? key) => key is not null && Problem(key, isPrefix: false) is null;

    /// <summary>True if <paramref name="prefix"/> is the start of some valid key ("" included).</summary>
    public static bool IsValidPrefix(string? prefix) => prefix is not null && Problem(prefix, isPrefix: true) is null;

    /// <summary>Throws unless <paramref name="key"/> is a valid block key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a valid block key.</exception>
    public static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Problem(key, isPrefix: false) is { } problem) throw new ArgumentException($"Invalid block key '{key}': {problem}.", nameof(key));
    }

    /// <summary>
    /// Throws unless <paramref name="prefix"/> is the start of some valid key: "" (everything),
    /// whole segments ("1/2" or "1/2/"), or whole segments and the start of one more ("1/2/3/1").
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="prefix"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> starts no valid key.</exception>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (Problem(prefix, isPrefix: true) is { } problem) throw new ArgumentException($"Invalid block key prefix '{prefix}': {problem}.", nameof(prefix));
    }

    private static string? Problem(string text, bool isPrefix)
    {
        if (text.Length == 0) return isPrefix ? null : "it is empty";
        if (text.Length > MaxKeyLength) return $"longer than {MaxKeyLength} characters";
        var start = 0;
        while (true)
        {
            var slash = text.IndexOf('/', start);
            var last = slash < 0;
            var segment = text.AsSpan(start, (last ? text.Length : slash) - start);
            // The last piece of a prefix may be the start of a segment ("1/2/3" can become "1/2/30"),
            // or nothing at all after a trailing '/'.
            var partial = isPrefix && last;
            if (SegmentProblem(segment, partial) is { } problem) return problem;
            if (last) return null;
            start = slash + 1;
        }
    }

    private static string? SegmentProblem(ReadOnlySpan<char> segment, bool partial)
    {
        if (segment.Length == 0) return partial ? null : "an empty segment";
        if (segment.Length > MaxSegmentLength) return $"a segment longer than {MaxSegmentLength} characters";
        if (!partial && (segment is "." || segment is "..")) return "a '.' or '..' segment";
        if (segment.StartsWith(ReservedSegmentPrefix, StringComparison.Ordinal)) return $"a segment starting with the reserved '{ReservedSegmentPrefix}'";
        foreach (var c in segment)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';
            if (!ok) return $"the character '{c}' is not allowed";
        }
        return null;
    }
}
