using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// NoKV's metrics and spans, collected with a real MeterListener and ActivityListener around real
/// operations on a real store (LMDB + local block files). Each store gets its own IMeterFactory,
/// so a recorder sees that store's meter only.
/// </summary>
public sealed class MetricsAndTracingTests : IDisposable
{
    private const int Chunk = TempStore.SmallChunk;
    private static readonly HashSet<string> BoundedTagKeys = ["nokv.operation", "error.type", "nokv.stream.mode"];

    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));
    private readonly WorkspaceStore _store;
    private readonly MetricRecorder _recorder;

    public MetricsAndTracingTests()
    {
        var factory = _metrics.GetRequiredService<IMeterFactory>();
        _recorder = new MetricRecorder(meter => meter.Scope == factory);
        _store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = _dir, ChunkSize = Chunk, OrphanGracePeriod = TimeSpan.Zero, MeterFactory = factory, InlineThreshold = 0 /* the tests count block I/O */ });
    }

    public void Dispose()
    {
        _store.Dispose();
        _recorder.Dispose();
        _metrics.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task Every_public_operation_records_one_duration_in_seconds_tagged_with_its_name_and_no_path()
    {
        var ws = _store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(100, 1));
        var pin = _store.Snapshot("/base");
        _store.Clone(pin, "/fork");
        _store.Clone("/base", "/fork2");
        _store.Diff(pin, "/fork");
        _store.Rollback("/fork", pin.Id);
        _store.Promote("/fork", "/base");
        _store.ReleaseSnapshot(pin.Id);
        _store.DeleteWorkspace("/fork2");
        await _store.CollectGarbageAsync();
        await _store.VerifyAsync();

        var durations = _recorder.Of("nokv.operation.duration").ToList();
        Assert.All(durations, d => Assert.Equal("s", d.Unit));
        Assert.All(durations, d => Assert.InRange(d.Value, 0, 60));
        Assert.All(_recorder.All, m => Assert.Subset(BoundedTagKeys, m.Tags.Keys.ToHashSet()));
        var counts = durations.GroupBy(d => d.Tag("nokv.operation")!).ToDictionary(g => g.Key, g => g.Count());
        // Clone of a live workspace snapshots it inside the same operation: one clone, one snapshot (the explicit one).
        // The file write publishes once.
        Assert.Equal(new Dictionary<string, int>
        {
            ["create_workspace"] = 1, ["write"] = 1, ["snapshot"] = 1, ["clone"] = 2, ["diff"] = 1, ["rollback"] = 1, ["promote"] = 1,
            ["release_snapshot"] = 1, ["delete_workspace"] = 1, ["gc"] = 1, ["verify"] = 1,
        }, counts);
        Assert.DoesNotContain(durations, d => d.Tags.ContainsKey("error.type"));
    }

    [Fact]
    public async Task Block_io_is_counted_in_blocks_and_bytes_and_GC_reports_what_it_reclaimed()
    {
        var data = TestData.Bytes(2 * Chunk + 100, 2); // three chunks
        var ws = _store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/f", data);
        Assert.Equal(3, _recorder.Sum("nokv.block.uploads"));
        Assert.Equal(data.Length, _recorder.Sum("nokv.block.bytes_written"));
        Assert.Equal("By", _recorder.Of("nokv.block.bytes_written").First().Unit);

        Assert.Equal(data, await ws.ReadAllBytesAsync("/f"));
        Assert.True(_recorder.Sum("nokv.block.bytes_read") >= data.Length); // reads verify each chunk, so whole chunks are read

        _store.DeleteWorkspace("/base");
        var report = await _store.CollectGarbageAsync();
        Assert.Equal(3, report.BlocksDeleted);
        Assert.Equal(3, _recorder.Sum("nokv.block.deletes"));
        Assert.Equal(3, _recorder.Sum("nokv.gc.reclaimed.blocks"));
        Assert.Equal(report.BytesReclaimed, _recorder.Sum("nokv.gc.reclaimed.bytes"));
        Assert.Equal(data.Length, report.BytesReclaimed);
    }

    [Fact]
    public void Layers_are_observed_as_the_store_holds_them()
    {
        var ws = _store.CreateWorkspace("/base");
        _recorder.Observe();
        var before = Assert.Single(_recorder.Of("nokv.layers")).Value;
        Assert.Equal(_store.Read(txn => txn.Count(Db.Layers)), (long)before);

        ws.CreateDirectory("/d"); // the head holds something, so the snapshot freezes it and adds a head
        _store.Snapshot("/base");
        _recorder.Clear();
        _recorder.Observe();
        Assert.Equal(before + 1, Assert.Single(_recorder.Of("nokv.layers")).Value);

        _store.Dispose(); // a closed store reports nothing
        _recorder.Clear();
        _recorder.Observe();
        Assert.Empty(_recorder.Of("nokv.layers"));
    }

    [Fact]
    public void A_failed_operation_records_its_duration_with_the_error_type_and_an_error_span()
    {
        using var spans = new SpanRecorder();
        Assert.Throws<WorkspaceNotFoundException>(() => _store.Clone("/missing", "/fork"));

        var failed = Assert.Single(_recorder.Of("nokv.operation.duration"));
        Assert.Equal("clone", failed.Tag("nokv.operation"));
        Assert.Equal(typeof(WorkspaceNotFoundException).FullName, failed.Tag("error.type"));
        var span = spans.Named("nokv.clone");
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Contains("/missing", span.StatusDescription, StringComparison.Ordinal);
        Assert.Equal("/missing", span.GetTagItem("nokv.workspace.path"));
        Assert.Equal(typeof(WorkspaceNotFoundException).FullName, span.GetTagItem("error.type"));

        // A later success on the same thread is not tainted by the failure before it.
        _store.CreateWorkspace("/base");
        Assert.DoesNotContain(_recorder.Of("nokv.operation.duration"), m => m.Tag("nokv.operation") == "create_workspace" && m.Tags.ContainsKey("error.type"));
    }

    [Fact]
    public async Task A_failed_import_names_the_exception_type_and_counts_no_upload()
    {
        var dir = _dir + "-faulty";
        var source = Directory.CreateDirectory(dir + "-source");
        await File.WriteAllBytesAsync(Path.Combine(source.FullName, "x"), TestData.Bytes(10, 7));
        var disk = new FaultyBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks")), key => new BlockStoreException($"injected failure for '{key}'", transient: false));
        var factory = _metrics.GetRequiredService<IMeterFactory>();
        try
        {
            using var spans = new SpanRecorder();
            using (var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = dir, BlockStore = disk, MeterFactory = factory, InlineThreshold = 0 }))
            {
                var ws = store.CreateWorkspace("/base");
                disk.PutsBeforeFailing = 0;
                await Assert.ThrowsAsync<BlockStoreException>(() => ws.ImportAsync(source.FullName, "/in"));
            }

            var failed = Assert.Single(_recorder.Of("nokv.operation.duration"), m => m.Tag("nokv.operation") == "import");
            Assert.Equal(typeof(BlockStoreException).FullName, failed.Tag("error.type"));
            Assert.Equal(0, _recorder.Sum("nokv.block.uploads"));
            var span = spans.Named("nokv.import");
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal(typeof(BlockStoreException).FullName, span.GetTagItem("error.type"));
            Assert.Contains(span.Events, e => e.Name == "exception");
        }
        finally
        {
            source.Delete(recursive: true);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_failed_operation_and_a_later_successful_one_are_told_apart()
    {
        using var spans = new SpanRecorder();
        _store.CreateWorkspace("/base");
        // A rollback of an unrelated snapshot throws inside the store; the next operation succeeds.
        var other = _store.CreateWorkspace("/other");
        var pin = other.Snapshot();
        Assert.Throws<UnrelatedSnapshotException>(() => _store.Rollback("/base", pin.Id));
        _store.Rollback("/other", pin.Id);

        var rollbacks = _recorder.Of("nokv.operation.duration").Where(m => m.Tag("nokv.operation") == "rollback").ToList();
        Assert.Equal(2, rollbacks.Count);
        Assert.Equal(typeof(UnrelatedSnapshotException).FullName, rollbacks[0].Tag("error.type"));
        Assert.Null(rollbacks[1].Tag("error.type"));
        Assert.Equal([ActivityStatusCode.Error, ActivityStatusCode.Unset], spans.Spans.Where(s => s.OperationName == "nokv.rollback").Select(s => s.Status));
    }

    [Fact]
    public async Task Spans_say_what_ran_on_which_workspace_and_what_it_counted()
    {
        using var spans = new SpanRecorder();
        var ws = _store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/a", TestData.Bytes(10, 3));
        var pin = _store.Snapshot("/base");
        var clone = _store.Clone(pin, "/fork");
        await clone.Workspace.WriteAllBytesAsync("/b", TestData.Bytes(10, 4));
        await clone.Workspace.WriteAllBytesAsync("/c", TestData.Bytes(10, 5));
        _store.Diff(pin, "/fork");
        _store.Promote("/fork", "/base");
        _store.Rollback("/base", pin.Id);
        var source = Directory.CreateDirectory(Path.Combine(_dir, "..", "src-" + Guid.NewGuid().ToString("N")));
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(source.FullName, "x"), TestData.Bytes(Chunk + 1, 6));
            await ws.ImportAsync(source.FullName, "/imported");
        }
        finally
        {
            source.Delete(recursive: true);
        }
        _store.DeleteWorkspace("/fork");
        _store.ReleaseSnapshot(pin.Id);
        await _store.CollectGarbageAsync(GcMode.Full);
        await _store.VerifyAsync();

        Assert.All(spans.Spans, s => Assert.Equal(ActivityStatusCode.Unset, s.Status));
        Assert.Equal("/base", spans.Named("nokv.create_workspace").GetTagItem("nokv.workspace.path"));
        var snapshot = spans.Named("nokv.snapshot");
        Assert.Equal("/base", snapshot.GetTagItem("nokv.workspace.path"));
        Assert.Equal(pin.Id, snapshot.GetTagItem("nokv.snapshot.id"));
        var cloneSpan = spans.Named("nokv.clone");
        Assert.Equal("/fork", cloneSpan.GetTagItem("nokv.target.path"));
        Assert.Equal(pin.Id, cloneSpan.GetTagItem("nokv.snapshot.id"));
        Assert.Equal(2, spans.Named("nokv.diff").GetTagItem("nokv.diff.changes"));
        var promote = spans.Named("nokv.promote");
        Assert.Equal("/fork", promote.GetTagItem("nokv.workspace.path"));
        Assert.Equal("/base", promote.GetTagItem("nokv.target.path"));
        Assert.Equal(2, promote.GetTagItem("nokv.promote.applied"));
        Assert.Equal(0, promote.GetTagItem("nokv.promote.conflicts"));
        Assert.Equal(pin.Id, spans.Named("nokv.rollback").GetTagItem("nokv.snapshot.id"));
        var import = spans.Named("nokv.import");
        Assert.Equal("/base", import.GetTagItem("nokv.workspace.path"));
        Assert.Equal(1L, import.GetTagItem("nokv.import.files"));
        Assert.Equal((long)Chunk + 1, import.GetTagItem("nokv.import.bytes"));
        var gc = spans.Named("nokv.gc");
        Assert.Equal("full", gc.GetTagItem("nokv.gc.mode"));
        Assert.True((long)gc.GetTagItem("nokv.gc.blocks_deleted")! >= 2); // /b and /c's blocks went with the fork and the pin
        Assert.Equal(0, spans.Named("nokv.verify").GetTagItem("nokv.verify.problems"));
        Assert.Equal("/fork", spans.Named("nokv.delete_workspace").GetTagItem("nokv.workspace.path"));
        Assert.Single(spans.Spans, s => s.OperationName == "nokv.release_snapshot");
        Assert.All(spans.Spans, s => Assert.Equal(ActivityKind.Internal, s.Kind));
    }

    [Fact]
    public void Open_streams_go_up_and_down_by_mode()
    {
        _store.Telemetry.StreamOpened(writable: true);
        _store.Telemetry.StreamOpened(writable: false);
        _store.Telemetry.StreamOpened(writable: false);
        _store.Telemetry.StreamClosed(writable: false);

        var open = _recorder.Of("nokv.stream.open").GroupBy(m => m.Tag("nokv.stream.mode")).ToDictionary(g => g.Key!, g => g.Sum(m => m.Value));
        Assert.Equal(1, open["write"]);
        Assert.Equal(1, open["read"]);
    }

    [Fact]
    public void A_listener_on_one_meter_factory_sees_none_of_another_factorys_stores()
    {
        using var otherMetrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var otherDir = _dir + "-other";
        try
        {
            using (var other = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = otherDir, MeterFactory = otherMetrics.GetRequiredService<IMeterFactory>() }))
                other.CreateWorkspace("/elsewhere");
            Assert.Empty(_recorder.All);
            _store.CreateWorkspace("/here");
            Assert.Single(_recorder.Of("nokv.operation.duration"));
        }
        finally
        {
            Directory.Delete(otherDir, recursive: true);
        }
    }

    [Fact]
    public void A_store_without_a_meter_factory_reports_to_the_process_wide_NoKV_meter()
    {
        using var shared = new MetricRecorder(meter => meter.Scope is null) { OnlyThread = Environment.CurrentManagedThreadId };
        using var temp = new TempStore();
        shared.Clear(); // opening the store may have run on this thread; count only what follows
        temp.Store.CreateWorkspace("/base");
        Assert.Single(shared.Of("nokv.operation.duration"), m => m.Tag("nokv.operation") == "create_workspace");
        Assert.Empty(_recorder.All);
    }
}
