namespace NoKV.Tests;

/// <summary>
/// With WorkspaceStoreOptions.TimeProvider set, every time the store shows about one item must
/// come from that clock: a workspace created with a one-hour lifetime shows CreatedUtc one hour
/// before its ExpiresUtc, whatever the clock says compared with the machine's.
/// </summary>
public sealed class ExpiryTimesFollowTheStoreClockTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TempStore _temp;

    public ExpiryTimesFollowTheStoreClockTests()
    {
        _temp = new TempStore(clock: _clock);
        _clock.Advance(TimeSpan.FromDays(30)); // the store's clock is a month ahead of the machine's
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_workspace_shows_its_creation_on_the_clock_its_expiry_is_counted_on()
    {
        var store = _temp.Store;
        store.CreateWorkspace("/a", new WorkspaceOptions { TimeToLive = TimeSpan.FromHours(1) });
        var info = store.ListWorkspaces().Single();
        Assert.Equal(TimeSpan.FromHours(1), info.ExpiresUtc - info.CreatedUtc);
    }

    [Fact]
    public void A_clone_and_a_snapshot_show_their_creation_on_the_clock_their_expiry_is_counted_on()
    {
        var store = _temp.Store;
        store.CreateWorkspace("/base");
        store.Clone("/base", "/fork", new WorkspaceOptions { TimeToLive = TimeSpan.FromHours(1) });
        var fork = store.ListWorkspaces().Single(w => w.Path == "/fork");
        Assert.Equal(TimeSpan.FromHours(1), fork.ExpiresUtc - fork.CreatedUtc);
        var pin = store.Snapshot("/base", new SnapshotOptions { TimeToLive = TimeSpan.FromHours(1) });
        Assert.Equal(TimeSpan.FromHours(1), pin.ExpiresUtc - pin.CreatedUtc);
    }
}
