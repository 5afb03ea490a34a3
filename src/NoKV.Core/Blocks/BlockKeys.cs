using System.Globalization;
using NoKV.Lmdb;

namespace NoKV.Blocks;

/// <summary>Block keys: {owner workspace}/{inode}/{generation}/{chunk}, all decimal.</summary>
internal static class BlockKeys
{
    public static string Of(long ownerWorkspace, long blockInode, long gen, int chunk) =>
        string.Create(CultureInfo.InvariantCulture, $"{ownerWorkspace}/{blockInode}/{gen}/{chunk}");

    /// <summary>Parses the generation out of a block key, or returns false for a key NoKV did not write.</summary>
    public static bool TryParseGeneration(string key, out long gen)
    {
        gen = 0;
        var parts = key.Split('/');
        return parts.Length == 4 && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out gen);
    }
}
