namespace NoKV.Tests;

/// <summary>
/// A clone made with a time-to-live takes a snapshot of its source that "expires with it"
/// (CloneHandle.SnapshotId, the point a fork resets to). Renewing or clearing the clone's expiry
/// must carry that snapshot along: a fork kept alive must still be able to roll back to where it started.
/// </summary>
public sealed class CloneExpiryRenewalTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TempStore _temp;

    public CloneExpiryRenewalTests() => _temp = new TempStore(clock: _clock);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_renewed_clone_can_still_roll_back_to_the_snapshot_it_was_cloned_from(bool clearInsteadOfRenew)
    {
        var store = _temp.Store;
        var original = TestData.Bytes(5000, 1);
        await store.CreateWorkspace("/base").WriteAllBytesAsync("/f", original);
        var clone = store.Clone("/base", "/forks/a", new WorkspaceOptions { TimeToLive = TimeSpan.FromHours(1) });
        store.SetExpiry("/forks/a", clearInsteadOfRenew ? null : _clock.Now.AddDays(7));
        await clone.Workspace.WriteAllBytesAsync("/f", TestData.Bytes(100, 2));

        _clock.Advance(TimeSpan.FromHours(2));
        var report = store.CollectGarbage();

        Assert.True(store.WorkspaceExists("/forks/a"));
        Assert.Equal(0, report.ExpiredSnapshots);
        store.Rollback("/forks/a", clone.SnapshotId);
        Assert.Equal(original, await clone.Workspace.ReadAllBytesAsync("/f"));
    }
}
