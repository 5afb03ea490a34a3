namespace NoKV.Engine;

/// <summary>The checks attribute values from a caller pass before they are stored.</summary>
internal static class AttributeRules
{
    /// <summary>The highest uid or gid a node may have: (uid_t)-1 means "unchanged" to chown, so it is no owner.</summary>
    public const long MaxId = uint.MaxValue - 1L;

    /// <summary>Permission bits, setuid, setgid and sticky: <see cref="UnixFileMode"/>'s values, nothing else.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Bits beyond 07777.</exception>
    public static int Mode(UnixFileMode mode, string paramName)
    {
        var bits = (int)mode;
        if ((bits & ~Lmdb.InodeRecord.ModeMask) != 0)
            throw new ArgumentOutOfRangeException(paramName, mode, "A mode holds permission bits only (0 to 07777 octal).");
        return bits;
    }

    /// <summary>A uid or gid: 0 to 4,294,967,294.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside that range.</exception>
    public static uint Id(long id, string paramName) =>
        id is >= 0 and <= MaxId ? (uint)id : throw new ArgumentOutOfRangeException(paramName, id, $"A uid or gid is 0 to {MaxId}.");

    /// <summary>A time as UTC ticks (any <see cref="DateTimeOffset"/> has them).</summary>
    public static long Ticks(DateTimeOffset time) => time.UtcTicks;
}
