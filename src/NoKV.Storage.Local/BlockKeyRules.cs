namespace NoKV.Storage.Local;

/// <summary>
/// Block keys become relative file paths, so a key must never be able to name a file outside the
/// block directory: segments are limited to [A-Za-z0-9._-], may not be "." or "..", and may not
/// start with the temporary-file prefix.
/// </summary>
internal static class BlockKeyRules
{
    internal const string TempPrefix = ".tmp-";

    public static void Validate(string key, bool allowEmpty = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            if (allowEmpty) return;
            throw new ArgumentException("A block key may not be empty.", nameof(key));
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == ".." || segment.StartsWith(TempPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"Invalid block key '{key}': empty, '.', '..' or reserved segment.", nameof(key));
            foreach (var c in segment)
            {
                var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';
                if (!ok) throw new ArgumentException($"Invalid block key '{key}': character '{c}' is not allowed.", nameof(key));
            }
        }
    }
}
