using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// A write session whose block uploads fail — once, repeatedly, before or after storing the
/// block, with one or several uploads in flight — or whose write is cancelled must publish nothing: the file keeps its old
/// bytes, Dispose reports the failure, and the blocks it uploaded never leak.
/// NOKV_FAILED_UPLOAD_PROPERTY_COUNT sets how many generated cases run (default 60).
/// </summary>
public sealed class FailedUploadTests(ITestOutputHelper output)
{
    private const int Chunk = TempStore.SmallChunk;

    [Theory]
    [InlineData(1)] // the second PUT fails once (issue 12, bug 1)
    [InlineData(0)] // the first PUT fails once
    public async Task A_put_that_fails_once_mid_write_publishes_nothing_and_the_old_version_stays(int failingPut)
    {
        using var temp = new Harness(maxParallelUploads: 1);
        var ws = temp.Store.CreateWorkspace("/w");
        var old = TestData.Bytes(10_000, 1);
        await ws.WriteAllBytesAsync("/f", old);
        var blocksBefore = temp.BlockKeys();

        temp.Disk.ResetSchedule();
        temp.Disk.PutSchedule = n => n == failingPut ? PutFault.FailBeforeStoring : PutFault.None;
        var caught = 0;
        var disposeFailure = await Record.ExceptionAsync(async () =>
        {
            await using var s = ws.OpenWrite("/f");
            for (var i = 0; i < 4; i++)
            {
                try { await s.WriteAsync(TestData.Bytes(4096, 10 + i)); }
                catch (IOException) { caught++; }
                catch (NoKVException) { caught++; }
            }
        });
        temp.Disk.PutSchedule = null;

        Assert.True(caught > 0 || disposeFailure is not null, "the injected failure surfaced nowhere");
        Assert.NotNull(disposeFailure); // Dispose of a failed session must not report success
        Assert.Equal(old, await ws.ReadAllBytesAsync("/f"));
        var report = temp.Store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
        Assert.Equal(blocksBefore, temp.BlockKeys());
    }

    [Fact]
    public async Task A_background_upload_failure_nobody_saw_is_thrown_by_dispose_as_it_is()
    {
        using var temp = new Harness(maxParallelUploads: 4);
        var ws = temp.Store.CreateWorkspace("/w");
        var old = TestData.Bytes(100, 1);
        await ws.WriteAllBytesAsync("/f", old);
        temp.Disk.ResetSchedule();
        temp.Disk.YieldOnPut = true;
        temp.Disk.PutSchedule = n => n == 1 ? PutFault.FailBeforeStoring : PutFault.None;

        var s = ws.OpenWrite("/f");
        await s.WriteAsync(TestData.Bytes(2 * Chunk, 2)); // both uploads still in flight: no error yet
        var e = await Assert.ThrowsAsync<IOException>(async () => await s.DisposeAsync());
        Assert.Contains("injected", e.Message, StringComparison.Ordinal);
        Assert.Equal(old, await ws.ReadAllBytesAsync("/f"));
    }

    /// <summary>One generated case: the file before, the write, how it is split, what fails.</summary>
    public sealed record UploadCase(int OldLength, int NewLength, int[] Splits, int MaxParallelUploads, (int Put, PutFault Fault, int Times)[] Faults, int CancelAt, bool DeletesFail, bool Yield)
    {
        public override string ToString() =>
            $"old {OldLength} B, new {NewLength} B in writes [{string.Join(",", Splits)}], parallel {MaxParallelUploads}, " +
            $"faults [{string.Join(", ", Faults.Select(f => $"put {f.Put}: {f.Fault} x{f.Times}"))}], cancel write {CancelAt}, deletes fail: {DeletesFail}, async puts: {Yield}";
    }

    private static readonly Gen<UploadCase> CaseGen =
        from oldLength in Gen.Choose(0, 5 * Chunk)
        from chunks in Gen.Choose(0, 8)
        from extra in Gen.Choose(0, Chunk - 1)
        let newLength = chunks * Chunk + extra
        from cuts in Gen.Choose(0, Math.Max(0, newLength)).ArrayOf()
        from parallel in Gen.Choose(1, 4)
        from faults in Gen.Frequency(
            (1, Gen.Constant(Array.Empty<(int, PutFault, int)>())), // some sessions see no fault and must publish
            (4, (from put in Gen.Choose(0, 9)
                 from kind in Gen.Elements(PutFault.FailBeforeStoring, PutFault.FailAfterStoring)
                 from times in Gen.Frequency((3, Gen.Constant(1)), (1, Gen.Choose(2, 10)))
                 select (put, kind, times)).ArrayOf()))
        from cancelAt in Gen.Frequency((4, Gen.Constant(-1)), (1, Gen.Choose(0, 4)))
        from deletesFail in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from yieldOnPut in Gen.Elements(false, true)
        select new UploadCase(oldLength, newLength, ToSplits(cuts, newLength), parallel, faults, cancelAt, deletesFail, yieldOnPut);

    private static int[] ToSplits(int[] cuts, int length)
    {
        var points = cuts.Append(0).Append(length).Distinct().Order().ToArray();
        return [.. points.Zip(points.Skip(1), (a, b) => b - a)];
    }

    [Fact]
    public void A_failed_upload_never_publishes_and_its_blocks_never_leak() =>
        CheckProperty(s3: false, "NOKV_FAILED_UPLOAD_PROPERTY_COUNT", 60);

    [S3Fact]
    public void A_failed_upload_to_s3_never_publishes_and_its_blocks_never_leak() =>
        CheckProperty(s3: true, "NOKV_FAILED_UPLOAD_S3_PROPERTY_COUNT", 15);

    private void CheckProperty(bool s3, string countVariable, int defaultCount)
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable(countVariable), out var c) ? c : defaultCount;
        int failed = 0, published = 0;
        Prop.ForAll(Arb.From(CaseGen), c =>
        {
            if (RunCase(c, s3).GetAwaiter().GetResult()) failed++; else published++;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true));
        output.WriteLine($"{failed} sessions failed and published nothing, {published} published");
    }

    /// <summary>Runs one case; true if a fault fired or a write was cancelled (and so nothing may have been published).</summary>
    private static async Task<bool> RunCase(UploadCase c, bool s3)
    {
        using var temp = new Harness(c.MaxParallelUploads, s3);
        var ws = temp.Store.CreateWorkspace("/w");
        var old = TestData.Bytes(c.OldLength, 1);
        await ws.WriteAllBytesAsync("/f", old);
        var blocksBefore = temp.BlockKeys();
        var data = TestData.Bytes(c.NewLength, 2);

        temp.Disk.ResetSchedule();
        temp.Disk.YieldOnPut = c.Yield;
        temp.Disk.FailDeletes = c.DeletesFail;
        temp.Disk.PutSchedule = n => c.Faults.Where(f => n >= f.Put && n < f.Put + f.Times).Select(f => f.Fault).FirstOrDefault();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var cancelledAWrite = false;
        var disposeFailure = await Record.ExceptionAsync(async () =>
        {
            await using var s = ws.OpenWrite("/f");
            var at = 0;
            for (var i = 0; i < c.Splits.Length; i++)
            {
                // The caller swallows write failures and carries on, as a careless one would.
                try { await s.WriteAsync(data.AsMemory(at, c.Splits[i]), i == c.CancelAt ? cancelled.Token : default); }
                catch (IOException) { }
                catch (NoKVException) { }
                catch (OperationCanceledException) { cancelledAWrite = true; }
                at += c.Splits[i];
            }
        });
        var faulted = temp.Disk.FaultsInjected > 0 || cancelledAWrite;
        temp.Disk.PutSchedule = null;
        temp.Disk.FailDeletes = false;

        if (faulted)
        {
            Assert.True(disposeFailure is not null, $"Dispose reported success after a failed upload: {c}");
            var read = await ws.ReadAllBytesAsync("/f");
            Assert.True(old.AsSpan().SequenceEqual(read), $"the old version is gone: {c}");
        }
        else
        {
            Assert.True(disposeFailure is null, $"no fault, yet Dispose threw {disposeFailure}: {c}");
            var read = await ws.ReadAllBytesAsync("/f");
            Assert.True(data.AsSpan().SequenceEqual(read), $"the new version is wrong: {c}");
        }
        var report = temp.Store.Verify();
            Assert.True(report.Problems.All(p => p.Kind == StoreProblemKind.OrphanBlock), $"{string.Join("; ", report.Problems)}: {c}");

        // Faults stopped: GC reclaims whatever the failed session left; nothing leaks.
        await temp.Store.CollectGarbageAsync();
        var after = temp.Store.Verify();
        Assert.True(after.IsHealthy, $"{string.Join("; ", after.Problems)}: {c}");
        if (faulted) Assert.Equal(blocksBefore, temp.BlockKeys());
        ws.Delete("/f");
        await temp.Store.CollectGarbageAsync(GcMode.Full);
        Assert.Empty(temp.BlockKeys());
        return faulted;
    }

    /// <summary>A store on a local block directory (or an S3 prefix) wrapped in a <see cref="FaultyBlockStore"/>.</summary>
    private sealed class Harness : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));
        private readonly IBlockStore _inner;

        public Harness(int maxParallelUploads, bool s3 = false)
        {
            _inner = s3 ? S3Server.NewStore() : new LocalBlockStore(Path.Combine(_directory, "blocks"));
            Disk = new FaultyBlockStore(_inner, key => new IOException($"injected failure for '{key}'"));
            Store = WorkspaceStore.Open(new WorkspaceStoreOptions
            {
                Directory = _directory,
                ChunkSize = Chunk,
                BlockStore = Disk,
                MaxParallelUploads = maxParallelUploads,
                OrphanGracePeriod = TimeSpan.Zero,
            });
        }

        public FaultyBlockStore Disk { get; }
        public WorkspaceStore Store { get; }

        /// <summary>Every block key in the store, sorted; for the local store, also proof that no temporary file is left.</summary>
        public List<string> BlockKeys()
        {
            if (_inner is LocalBlockStore local)
                Assert.Empty(Directory.EnumerateFiles(local.Directory, ".tmp-*", SearchOption.AllDirectories));
            return [.. Store.Blocks.ListAsync("").ToBlockingEnumerable().Select(b => b.Key).Order(StringComparer.Ordinal)];
        }

        public void Dispose()
        {
            Store.Dispose();
            (_inner as IDisposable)?.Dispose();
            try { Directory.Delete(_directory, recursive: true); }
            catch (IOException) { }
        }
    }
}
