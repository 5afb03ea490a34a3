using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// A write session overlaps storing chunk i with the caller filling chunk i+1 (issue 15), even on
/// a block store whose puts complete synchronously (the local one writes and fsyncs inside the
/// call): at most MaxParallelUploads puts at once, and a failure anywhere in the pipeline still
/// publishes nothing and leaves nothing that GC does not reclaim.
/// NOKV_PIPELINED_UPLOAD_PROPERTY_COUNT sets how many generated cases run (default 40).
/// </summary>
public sealed class PipelinedUploadTests(ITestOutputHelper output)
{
    private const int Chunk = TempStore.SmallChunk;

    [Fact]
    public async Task The_writer_fills_the_next_chunk_while_a_synchronous_put_of_the_previous_one_is_still_running()
    {
        using var temp = new Harness(maxParallelUploads: 3);
        var ws = temp.Store.CreateWorkspace("/w");
        var data = TestData.Bytes(3 * Chunk + 10, 4);
        temp.Slow.HoldPuts = true;

        var s = ws.OpenWrite("/f");
        // Two full chunks: the first put blocks its thread inside the store; the writer must not wait for it.
        var writing = Task.Run(async () => await s.WriteAsync(data.AsMemory(0, 2 * Chunk)));
        var finished = await Task.WhenAny(writing, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(finished == writing, "the writer waited for a put to finish before filling the next chunk");
        await writing;
        // Both puts are running (held), started on the thread pool.
        for (var i = 0; i < 1000 && temp.Slow.MaxConcurrentPuts < 2; i++) await Task.Delay(10);
        Assert.True(temp.Slow.MaxConcurrentPuts >= 2, $"{temp.Slow.MaxConcurrentPuts} put(s) at once");

        temp.Slow.HoldPuts = false;
        await s.WriteAsync(data.AsMemory(2 * Chunk));
        await s.DisposeAsync();
        Assert.Equal(data, await ws.ReadAllBytesAsync("/f"));
        Assert.True(temp.Store.Verify().IsHealthy); // the checksums recorded beside the puts are the blocks'
    }

    /// <summary>One generated case: old and new file, how the new one is written, which puts fail, how slow the store is.</summary>
    public sealed record PipelineCase(int OldLength, int NewLength, int WriteSize, int MaxParallelUploads, (int Put, PutFault Fault)[] Faults, int PutDelayMs, bool Synchronous)
    {
        public override string ToString() =>
            $"old {OldLength} B, new {NewLength} B in writes of {WriteSize}, parallel {MaxParallelUploads}, put delay {PutDelayMs} ms, sync writes {Synchronous}, " +
            $"faults [{string.Join(", ", Faults.Select(f => $"put {f.Put}: {f.Fault}"))}]";
    }

    private static readonly Gen<PipelineCase> CaseGen =
        from oldLength in Gen.Choose(0, 4 * Chunk)
        from chunks in Gen.Choose(1, 10)
        from extra in Gen.Choose(0, Chunk - 1)
        from writeSize in Gen.Elements(1000, Chunk, 3 * Chunk + 5)
        from parallel in Gen.Choose(1, 4)
        from faults in Gen.Frequency(
            (1, Gen.Constant(Array.Empty<(int, PutFault)>())),
            (3, (from put in Gen.Choose(0, 10)
                 from kind in Gen.Elements(PutFault.FailBeforeStoring, PutFault.FailAfterStoring)
                 select (put, kind)).ArrayOf()))
        from delay in Gen.Elements(0, 1, 3)
        from sync in Gen.Elements(false, true)
        select new PipelineCase(oldLength, chunks * Chunk + extra, writeSize, parallel, faults, delay, sync);

    [Fact]
    public void Under_random_put_faults_a_pipelined_session_publishes_all_or_nothing_and_leaks_no_block()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_PIPELINED_UPLOAD_PROPERTY_COUNT"), out var c) ? c : 40;
        int failed = 0, published = 0, overlapped = 0;
        Prop.ForAll(Arb.From(CaseGen), c =>
        {
            var (faulted, maxPuts) = RunCase(c).GetAwaiter().GetResult();
            if (faulted) failed++; else published++;
            if (maxPuts > 1) overlapped++;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true));
        output.WriteLine($"{failed} sessions failed and published nothing, {published} published, {overlapped} had puts overlapping");
        Assert.True(overlapped > 0, "no session ever had two puts running at once: uploads are not pipelined");
    }

    private static async Task<(bool Faulted, int MaxPuts)> RunCase(PipelineCase c)
    {
        using var temp = new Harness(c.MaxParallelUploads);
        var ws = temp.Store.CreateWorkspace("/w");
        var old = TestData.Bytes(c.OldLength, 1);
        await ws.WriteAllBytesAsync("/f", old);
        var blocksBefore = temp.BlockKeys();
        var data = TestData.Bytes(c.NewLength, 2);

        temp.Slow.PutDelay = TimeSpan.FromMilliseconds(c.PutDelayMs);
        temp.Slow.ResetCounts();
        temp.Disk.ResetSchedule();
        temp.Disk.PutSchedule = n => c.Faults.Where(f => f.Put == n).Select(f => f.Fault).FirstOrDefault();
        var disposeFailure = await Record.ExceptionAsync(async () =>
        {
            await using var s = ws.OpenWrite("/f");
            for (var at = 0; at < data.Length; at += c.WriteSize)
            {
                var piece = data.AsMemory(at, Math.Min(c.WriteSize, data.Length - at));
                try
                {
                    if (c.Synchronous) s.Write(piece.Span);
                    else await s.WriteAsync(piece);
                }
                catch (IOException) { }
                catch (NoKVException) { }
            }
        });
        var faulted = temp.Disk.FaultsInjected > 0;
        temp.Disk.PutSchedule = null;
        var maxPuts = temp.Slow.MaxConcurrentPuts;

        Assert.True(maxPuts <= c.MaxParallelUploads, $"{maxPuts} puts at once, more than {c.MaxParallelUploads}: {c}");
        var read = await ws.ReadAllBytesAsync("/f");
        if (faulted)
        {
            Assert.True(disposeFailure is not null, $"Dispose reported success after a failed upload: {c}");
            Assert.True(old.AsSpan().SequenceEqual(read), $"the old version is gone: {c}");
        }
        else
        {
            Assert.True(disposeFailure is null, $"no fault, yet Dispose threw {disposeFailure}: {c}");
            Assert.True(data.AsSpan().SequenceEqual(read), $"the new version is wrong: {c}");
        }
        var report = temp.Store.Verify();
        Assert.True(report.Problems.All(p => p.Kind == StoreProblemKind.OrphanBlock), $"{string.Join("; ", report.Problems)}: {c}");

        await temp.Store.CollectGarbageAsync();
        Assert.True(temp.Store.Verify().IsHealthy, c.ToString());
        if (faulted) Assert.Equal(blocksBefore, temp.BlockKeys());
        ws.Delete("/f");
        await temp.Store.CollectGarbageAsync(GcMode.Full);
        Assert.Empty(temp.BlockKeys());
        return (faulted, maxPuts);
    }

    /// <summary>
    /// A local block store behind a slow, synchronous put (as the local store's own: it returns
    /// only once the block is on disk) that counts puts running at once, behind a <see cref="FaultyBlockStore"/>.
    /// </summary>
    private sealed class Harness : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

        public Harness(int maxParallelUploads)
        {
            Slow = new SlowSynchronousPuts(new LocalBlockStore(Path.Combine(_directory, "blocks")));
            Disk = new FaultyBlockStore(Slow, key => new IOException($"injected failure for '{key}'"));
            Store = WorkspaceStore.Open(new WorkspaceStoreOptions
            {
                Directory = _directory,
                ChunkSize = Chunk,
                InlineThreshold = 0,
                BlockStore = Disk,
                MaxParallelUploads = maxParallelUploads,
                OrphanGracePeriod = TimeSpan.Zero,
            });
        }

        public SlowSynchronousPuts Slow { get; }
        public FaultyBlockStore Disk { get; }
        public WorkspaceStore Store { get; }

        public List<string> BlockKeys() =>
            [.. Store.Blocks.ListAsync("").ToBlockingEnumerable().Select(b => b.Key).Order(StringComparer.Ordinal)];

        public void Dispose()
        {
            Slow.HoldPuts = false;
            Store.Dispose();
            try { Directory.Delete(_directory, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>Puts that block their thread for a while (or until released) and complete synchronously.</summary>
    private sealed class SlowSynchronousPuts(IBlockStore inner) : DecoratedBlockStore(inner)
    {
        private readonly ManualResetEventSlim _released = new(initialState: true);
        private int _running;
        private int _max;

        public TimeSpan PutDelay { get; set; }

        /// <summary>While true, every put blocks its thread.</summary>
        public bool HoldPuts
        {
            get => !_released.IsSet;
            set
            {
                if (value) _released.Reset();
                else _released.Set();
            }
        }

        public int MaxConcurrentPuts => Volatile.Read(ref _max);

        public void ResetCounts() => Volatile.Write(ref _max, 0);

        public override ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            var running = Interlocked.Increment(ref _running);
            try
            {
                int seen;
                while (running > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, running, seen) != seen) { }
                _released.Wait(TimeSpan.FromSeconds(30), CancellationToken.None);
                if (PutDelay > TimeSpan.Zero) Thread.Sleep(PutDelay);
                return Inner.PutAsync(key, data, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
