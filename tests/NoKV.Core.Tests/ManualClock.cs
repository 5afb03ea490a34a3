namespace NoKV.Tests;

/// <summary>A clock that moves only when told: expiry tests pass it as the store's TimeProvider.</summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks = DateTime.UtcNow.Ticks;

    public DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
