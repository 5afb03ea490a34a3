using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>
/// SetExpiry/SetSnapshotExpiry take any DateTimeOffset (any offset, any instant, "one in the past
/// expires at the next GC"): what WorkspaceInfo/SnapshotPin.ExpiresUtc shows, before and after a
/// reopen, is that instant in UTC, exactly.
/// </summary>
public sealed class ExpiryInstantRoundTripTests
{
    private static readonly Gen<DateTimeOffset> Instants =
        from kind in Gen.Choose(0, 9)
        from fraction in Gen.Choose(0, int.MaxValue)
        from offsetMinutes in Gen.Choose(-14 * 60, 14 * 60)
        select Make(kind, fraction, offsetMinutes);

    private static DateTimeOffset Make(int kind, int fraction, int offsetMinutes)
    {
        if (kind == 0) return DateTimeOffset.MaxValue;
        if (kind == 1) return DateTimeOffset.UnixEpoch.AddTicks(fraction);
        var utcTicks = (long)(fraction / (double)int.MaxValue * (DateTime.MaxValue.Ticks - 1)) + 1;
        var offset = TimeSpan.FromMinutes(offsetMinutes);
        var local = utcTicks + offset.Ticks;
        return local < 0 || local > DateTime.MaxValue.Ticks
            ? new DateTimeOffset(utcTicks, TimeSpan.Zero)
            : new DateTimeOffset(local, offset);
    }

    [Fact]
    public void Any_instant_after_the_first_tick_is_shown_as_set_and_survives_a_reopen()
    {
        using var temp = new TempStore();
        temp.Store.CreateWorkspace("/a");
        var pin = temp.Store.Snapshot("/a").Id;
        Prop.ForAll(Instants.ToArbitrary(), at =>
        {
            temp.Store.SetExpiry("/a", at);
            temp.Store.SetSnapshotExpiry(pin, at);
            Assert.Equal(at.UtcDateTime, temp.Store.ListWorkspaces().Single().ExpiresUtc);
            Assert.Equal(at.UtcDateTime, temp.Store.GetSnapshot(pin).ExpiresUtc);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100));
        temp.Store.SetExpiry("/a", DateTimeOffset.MaxValue);
        var store = temp.Reopen();
        Assert.Equal(DateTime.MaxValue, store.ListWorkspaces().Single().ExpiresUtc);
    }

    [Fact]
    public void The_earliest_instant_is_shown_as_set_too()
    {
        using var temp = new TempStore();
        temp.Store.CreateWorkspace("/a");
        temp.Store.SetExpiry("/a", DateTimeOffset.MinValue);
        Assert.Equal(DateTime.MinValue, temp.Store.ListWorkspaces().Single().ExpiresUtc);
        Assert.Equal(1, temp.Store.CollectGarbage().ExpiredWorkspaces);
    }
}
