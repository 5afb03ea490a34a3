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
        var now = clock.GetUtcNow().UtcDateTime.Ticks;
        if (now > DateTime.MaxValue.Ticks - ttl.Ticks)
            throw new ArgumentOutOfRangeException(paramName, ttl, "TimeToLive would end after the last date a DateTime holds (the clock is near it); give an expiry time instead.");
        return now + ttl.Ticks;
    }

    /// <summary>
    /// An expiry time as ticks; any instant is allowed (one in the past expires at the next GC).
    /// 0 means never, so the very first tick is kept as tick 1 and shown as the first tick again.
    /// </summary>
    public static long TicksAt(DateTimeOffset? expiresUtc) => expiresUtc is { } at ? Math.Max(FirstTick, at.UtcDateTime.Ticks) : 0;

    public static DateTime? ToUtc(long ticks) => ticks switch
    {
        0 => null,
        FirstTick => DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), // TicksAt's stand-in for MinValue
        _ => new DateTime(ticks, DateTimeKind.Utc),
    };

    private const long FirstTick = 1;

    public static bool IsDue(long expiresTicks, long nowTicks) => expiresTicks != 0 && expiresTicks <= nowTicks;
}
