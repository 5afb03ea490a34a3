using System.Diagnostics.Metrics;

namespace NoKV.Tests;

/// <summary>
/// Expiry of workspaces and snapshots (issue 18), on a store whose clock only the test moves.
/// The model-based suite checks expiry against the reference model over random sequences; these
/// pin down the rules around it: in-use workspaces are not dropped under their users, a clone
/// never depends on an expired snapshot, a clone's own snapshot expires with it, bad lifetimes
/// are refused changing nothing, and expiry is counted in the metrics.
/// </summary>
public sealed class ExpiryTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TempStore _temp;

    public ExpiryTests() => _temp = new TempStore(clock: _clock);

    public void Dispose() => _temp.Dispose();

    private WorkspaceStore Store => _temp.Store;

    [Fact]
    public async Task An_expired_workspace_is_dropped_by_the_next_gc_and_its_blocks_reclaimed()
    {
        var ws = Store.CreateWorkspace("/tmp-agent", new WorkspaceOptions { TimeToLive = TimeSpan.FromMinutes(10) });
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(20_000, 1));
        Assert.Equal(_clock.Now.UtcDateTime.AddMinutes(10), Store.ListWorkspaces().Single().ExpiresUtc);
        var blocks = _temp.BlockFiles().Count;
        Assert.True(blocks > 0);

        _clock.Advance(TimeSpan.FromMinutes(9));
        var early = Store.CollectGarbage();
        Assert.Equal(0, early.ExpiredWorkspaces);
        Assert.True(Store.WorkspaceExists("/tmp-agent"));

        _clock.Advance(TimeSpan.FromMinutes(1));
        var report = Store.CollectGarbage();
        Assert.Equal(1, report.ExpiredWorkspaces);
        Assert.False(Store.WorkspaceExists("/tmp-agent"));
        Assert.Empty(_temp.BlockFiles()); // dropped and collected in the same run
        Assert.Throws<WorkspaceNotFoundException>(() => ws.Stat("/f"));
    }

    [Fact]
    public void Renewing_or_clearing_the_expiry_keeps_the_workspace_and_it_survives_a_reopen()
    {
        Store.CreateWorkspace("/a", new WorkspaceOptions { TimeToLive = TimeSpan.FromSeconds(30) });
        Store.CreateWorkspace("/b", new WorkspaceOptions { TimeToLive = TimeSpan.FromSeconds(30) });
        Store.SetExpiry("/a", _clock.Now.AddHours(1));
        Store.SetExpiry("/b", null);
        var store = _temp.Reopen();
        Assert.Equal(_clock.Now.UtcDateTime.AddHours(1), store.ListWorkspaces()[0].ExpiresUtc);
        Assert.Null(store.ListWorkspaces()[1].ExpiresUtc);

        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, store.CollectGarbage().ExpiredWorkspaces);
        _clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, store.CollectGarbage().ExpiredWorkspaces);
        Assert.Equal(["/b"], store.ListWorkspaces().Select(w => w.Path));
    }

    [Fact]
    public async Task A_workspace_in_use_is_not_dropped_under_its_writer_but_by_the_first_gc_after()
    {
        var ws = Store.CreateWorkspace("/busy", new WorkspaceOptions { TimeToLive = TimeSpan.FromSeconds(5) });
        var stream = ws.OpenWrite("/f");
        await stream.WriteAsync(TestData.Bytes(10_000, 2));
        _clock.Advance(TimeSpan.FromSeconds(6));

        var report = Store.CollectGarbage();
        Assert.Equal(0, report.ExpiredWorkspaces);
        Assert.Equal(1, report.ExpiryDeferred);
        await stream.DisposeAsync(); // the write lands
        Assert.Equal(TestData.Bytes(10_000, 2), await ws.ReadAllBytesAsync("/f"));

        Assert.Equal(1, Store.CollectGarbage().ExpiredWorkspaces);
        Assert.False(Store.WorkspaceExists("/busy"));
        // A handle to the dropped workspace cannot start a write.
        Assert.Throws<WorkspaceNotFoundException>(() => ws.OpenWrite("/g"));
    }

    [Fact]
    public async Task An_import_holds_its_workspace_until_it_has_published()
    {
        var source = Path.Combine(_temp.Directory, "src");
        Directory.CreateDirectory(source);
        for (var i = 0; i < 50; i++) File.WriteAllBytes(Path.Combine(source, $"f{i}"), TestData.Bytes(3000, i));
        var ws = Store.CreateWorkspace("/imp", new WorkspaceOptions { TimeToLive = TimeSpan.FromSeconds(5) });
        _clock.Advance(TimeSpan.FromSeconds(6));

        // GC runs while the import is between files: the progress callback is inside the import.
        var reports = new List<GcReport>();
        var progress = new SynchronousProgress(_ => { if (reports.Count == 0) reports.Add(Store.CollectGarbage()); });
        await ws.ImportAsync(source, "/", new ImportOptions { Progress = progress });
        Assert.Single(reports);
        Assert.Equal(0, reports[0].ExpiredWorkspaces);
        Assert.Equal(50, ws.List("/").Count);
        Assert.Equal(1, Store.CollectGarbage().ExpiredWorkspaces);
    }

    private sealed class SynchronousProgress(Action<ImportResult> report) : IProgress<ImportResult>
    {
        public void Report(ImportResult value) => report(value);
    }

    [Fact]
    public async Task A_clones_snapshot_is_released_with_it_and_clones_never_depend_on_an_expired_snapshot()
    {
        var baseWs = Store.CreateWorkspace("/base");
        await baseWs.WriteAllBytesAsync("/f", TestData.Bytes(9000, 3));
        var fork = Store.Clone("/base", "/forks/a", new WorkspaceOptions { TimeToLive = TimeSpan.FromMinutes(1) });
        Assert.Null(Store.GetSnapshot(fork.SnapshotId).ExpiresUtc); // tied to the fork, not to a time of its own

        var pin = Store.Snapshot("/base", new SnapshotOptions { TimeToLive = TimeSpan.FromSeconds(10) });
        var fromPin = Store.Clone(pin, "/forks/b"); // lives forever; its source pin does not
        await baseWs.WriteAllBytesAsync("/f", TestData.Bytes(100, 4)); // the base moves on
        _clock.Advance(TimeSpan.FromMinutes(2));

        var report = Store.CollectGarbage(GcMode.Full);
        Assert.Equal(1, report.ExpiredWorkspaces);
        Assert.Equal(2, report.ExpiredSnapshots);
        Assert.Empty(Store.ListSnapshots());
        Assert.Throws<SnapshotNotFoundException>(() => Store.GetSnapshot(pin.Id));
        Assert.Equal(TestData.Bytes(9000, 3), await fromPin.Workspace.ReadAllBytesAsync("/f"));
        Assert.True(Store.Verify().IsHealthy);
    }

    [Fact]
    public void An_expiry_set_on_a_snapshot_can_be_renewed_and_released_ones_are_refused()
    {
        Store.CreateWorkspace("/w");
        var pin = Store.Snapshot("/w");
        Assert.Null(pin.ExpiresUtc);
        Store.SetSnapshotExpiry(pin.Id, _clock.Now.AddSeconds(5));
        Store.SetSnapshotExpiry(pin.Id, _clock.Now.AddSeconds(50));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Store.CollectGarbage().ExpiredSnapshots);
        _clock.Advance(TimeSpan.FromSeconds(41));
        Assert.Equal(1, Store.CollectGarbage().ExpiredSnapshots);
        Assert.Throws<SnapshotNotFoundException>(() => Store.SetSnapshotExpiry(pin.Id, null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(0.5)]
    [InlineData(36_526 * 86_400.0)]
    public void A_lifetime_out_of_range_is_refused_and_creates_nothing(double seconds)
    {
        var ttl = TimeSpan.FromSeconds(seconds);
        Store.CreateWorkspace("/src");
        Assert.Throws<ArgumentOutOfRangeException>(() => Store.CreateWorkspace("/x", new WorkspaceOptions { TimeToLive = ttl }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Store.Clone("/src", "/y", new WorkspaceOptions { TimeToLive = ttl }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Store.Snapshot("/src", new SnapshotOptions { TimeToLive = ttl }));
        Assert.Equal(["/src"], Store.ListWorkspaces().Select(w => w.Path));
        Assert.Empty(Store.ListSnapshots());
    }

    [Fact]
    public void Expiry_drops_a_read_only_workspace_too_and_is_counted_in_metrics()
    {
        var counted = new List<(long Value, string? Kind)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name == "nokv.expired") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "nokv.expired.kind") counted.Add((value, tag.Value as string));
        });
        listener.Start();

        Store.CreateWorkspace("/ro", new WorkspaceOptions { TimeToLive = TimeSpan.FromSeconds(1) });
        Store.SetReadOnly("/ro", true); // the lifetime was asked for explicitly: read-only does not extend it
        Store.Snapshot("/ro", new SnapshotOptions { TimeToLive = TimeSpan.FromSeconds(1) });
        _clock.Advance(TimeSpan.FromSeconds(2));
        var report = Store.CollectGarbage();

        Assert.Equal((1, 1), (report.ExpiredWorkspaces, report.ExpiredSnapshots));
        Assert.False(Store.WorkspaceExists("/ro"));
        Assert.Contains((1L, "workspace"), counted);
        Assert.Contains((1L, "snapshot"), counted);
    }
}
