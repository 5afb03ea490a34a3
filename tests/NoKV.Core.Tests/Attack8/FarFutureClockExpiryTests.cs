namespace NoKV.Tests;

/// <summary>
/// A time-to-live is added to the store's clock (WorkspaceStoreOptions.TimeProvider, any
/// TimeProvider). Near the end of the calendar the sum passes DateTime.MaxValue: that must be
/// refused (changing nothing) or clamped, never written as a record the store cannot read back.
/// </summary>
public sealed class FarFutureClockExpiryTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset NearTheEnd = new(9990, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_workspace_lifetime_past_the_calendar_never_leaves_an_unreadable_workspace()
    {
        using var temp = new TempStore(clock: new FixedClock(NearTheEnd));
        var store = temp.Store;
        Try(() => store.CreateWorkspace("/a", new WorkspaceOptions { TimeToLive = TimeSpan.FromDays(365 * 20) }));
        AssertReadable(store);
        AssertReadable(temp.Reopen());
    }

    [Fact]
    public void A_clone_lifetime_past_the_calendar_never_leaves_an_unreadable_workspace_or_snapshot()
    {
        using var temp = new TempStore(clock: new FixedClock(NearTheEnd));
        var store = temp.Store;
        store.CreateWorkspace("/base");
        Try(() => store.Clone("/base", "/fork", new WorkspaceOptions { TimeToLive = TimeSpan.FromDays(365 * 20) }));
        Try(() => store.Snapshot("/base", new SnapshotOptions { TimeToLive = TimeSpan.FromDays(365 * 20) }));
        AssertReadable(store);
        AssertReadable(temp.Reopen());
    }

    /// <summary>Refusing with ArgumentOutOfRangeException is a fine answer; anything else is not.</summary>
    private static void Try(Action create)
    {
        try { create(); }
        catch (ArgumentOutOfRangeException) { }
    }

    private static void AssertReadable(WorkspaceStore store)
    {
        foreach (var info in store.ListWorkspaces()) store.OpenWorkspace(info.Path).List("/");
        store.ListSnapshots();
        store.CollectGarbage();
        Assert.Empty(store.Verify().Problems);
    }
}
