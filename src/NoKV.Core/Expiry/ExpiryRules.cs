namespace NoKV.Expiry;

/// <summary>How a time-to-live or an expiry time becomes the UTC ticks records keep (0: never).</summary>
internal static class ExpiryRules
{
    public static readonly TimeSpan MinTimeToLive = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxTimeToLive = TimeSpan.FromDays(36_525);

    /// <exception cref="ArgumentOutOfRangeException">The time-to-live is below one second or above 100 years.</exception>
    public static long TicksAfter(TimeSpan? timeToLive, TimeProvider clock, string paramName)
    {
        if (timeToLive is not { } ttl) return 0;
        if (ttl < MinTimeToLive || ttl > MaxTimeToLive)
            throw new ArgumentOutOfRangeException(paramName, ttl, "TimeToLive must be between one second and 100 years.");
        return clock.GetUtcNow().UtcDateTime.Ticks + ttl.Ticks;
    }

    /// <summary>An expiry time as ticks; any instant is allowed (one in the past expires at the next GC).</summary>
    public static long TicksAt(DateTimeOffset? expiresUtc) => expiresUtc is { } at ? Math.Max(1, at.UtcDateTime.Ticks) : 0;

    public static DateTime? ToUtc(long ticks) => ticks == 0 ? null : new DateTime(ticks, DateTimeKind.Utc);

    public static bool IsDue(long expiresTicks, long nowTicks) => expiresTicks != 0 && expiresTicks <= nowTicks;
}
