using NoKV.Engine;

namespace NoKV.Import;

/// <summary>
/// What an import keeps of a source entry besides its content, read without following links:
/// permission bits (setuid, setgid and sticky included), owner uid and gid, and modification time.
/// </summary>
internal readonly record struct SourceEntryAttributes(int Mode, uint OwnerId, uint GroupId, long ModifiedUtcTicks)
{
    /// <summary>
    /// The change that gives a node these attributes. A link's mode is left out: NoKV, like Linux,
    /// keeps every link 0777 and refuses to set one.
    /// </summary>
    public AttributeChange ToChange(bool isLink) =>
        new(isLink ? null : Mode & Lmdb.InodeRecord.ModeMask, OwnerId, GroupId, ModifiedUtcTicks);

    /// <summary>UTC ticks of a Unix time (seconds and nanoseconds), clamped to what a DateTime holds.</summary>
    public static long TicksOfUnixTime(long seconds, uint nanoseconds)
    {
        const long MaxSeconds = (long)((ulong)long.MaxValue / TimeSpan.TicksPerSecond) - 1;
        if (seconds > MaxSeconds) return DateTime.MaxValue.Ticks;
        if (seconds < -MaxSeconds) return 0;
        var ticks = DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond + nanoseconds / 100;
        return Math.Clamp(ticks, 0, DateTime.MaxValue.Ticks);
    }
}

/// <summary>A source entry's type and attributes, as one lstat-like look at it reported them.</summary>
internal readonly record struct SourceEntryLook(SourceEntryType Type, SourceEntryAttributes Attributes);
