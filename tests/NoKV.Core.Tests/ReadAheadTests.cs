using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>
/// The read stream reads ahead for a reader going front to back (issue 15): the next chunks are
/// read while the caller consumes this one, at most <c>ChunkReadAhead.MaxDepth</c> of them; a seek
/// drops them; a damaged block found by a read-ahead fails the read that reaches it and never
/// returns wrong bytes; dispose waits for a read-ahead before it gives up the version's lease; a
/// cancelled read leaves the stream usable.
/// </summary>
public sealed class ReadAheadTests : IDisposable
{
    private const int Chunk = TempStore.SmallChunk;
    private readonly TempStore _temp = new(blocks: dir => new GatedReadBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks"))));

    private Workspace? _ws;

    private GatedReadBlockStore Gates => (GatedReadBlockStore)_temp.BlockStore!;

    private Workspace Ws() => _ws ??= _temp.Store.CreateWorkspace("/w");

    public void Dispose()
    {
        Gates.OpenAll();
        _temp.Dispose();
    }

    private async Task<(Workspace Ws, byte[] Data)> WriteFileAsync(int length, int seed = 7)
    {
        var ws = Ws();
        var data = TestData.Bytes(length, seed);
        await ws.WriteAllBytesAsync("/f", data);
        Gates.ResetCounts();
        return (ws, data);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
    }

    [Fact]
    public async Task A_reader_going_in_order_gets_the_next_chunks_read_before_it_asks_and_no_more_than_the_depth()
    {
        var (ws, data) = await WriteFileAsync(8 * Chunk);
        for (var i = 2; i < 8; i++) Gates.Close(i);
        await using var stream = ws.OpenRead("/f");
        var buffer = new byte[2 * Chunk];
        await stream.ReadExactlyAsync(buffer.AsMemory(0, 2 * Chunk)); // chunks 0 and 1, in small reads or whole

        // Chunks 2 and 3 are requested although the caller has not asked for them yet ...
        await WaitUntilAsync(() => Gates.ReadChunks.Contains(2) && Gates.ReadChunks.Contains(3));
        Assert.Contains(2, Gates.ReadChunks);
        Assert.Contains(3, Gates.ReadChunks);
        // ... and nothing further while they are held: the read-ahead is bounded.
        await Task.Delay(100);
        Assert.DoesNotContain(4, Gates.ReadChunks);

        Gates.OpenAll();
        var rest = new byte[6 * Chunk];
        await stream.ReadExactlyAsync(rest);
        Assert.Equal(data, buffer.Concat(rest));
        Assert.True(Gates.MaxConcurrentReads <= 3, $"{Gates.MaxConcurrentReads} reads ran at once");
        Assert.Equal(8, Gates.ReadChunks.Count); // each chunk read once: nothing read ahead was thrown away
    }

    [Fact]
    public async Task A_cancelled_read_waiting_for_a_read_ahead_throws_and_the_next_read_gets_the_chunk()
    {
        var (ws, data) = await WriteFileAsync(4 * Chunk);
        Gates.Close(1);
        await using var stream = ws.OpenRead("/f");
        var first = new byte[Chunk];
        await stream.ReadExactlyAsync(first);
        await WaitUntilAsync(() => Gates.ReadChunks.Contains(1)); // chunk 1 is being read ahead, held at the gate

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var waiting = stream.ReadAsync(new byte[100], cancel.Token).AsTask();
        var finished = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(waiting, finished); // the token ended the wait; the gate is still closed
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(Chunk, stream.Position);

        Gates.Open(1);
        var rest = new byte[3 * Chunk];
        await stream.ReadExactlyAsync(rest);
        Assert.Equal(data, first.Concat(rest));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dispose_waits_for_a_read_ahead_in_flight_before_it_lets_gc_take_the_blocks(bool async)
    {
        var (ws, _) = await WriteFileAsync(3 * Chunk);
        Gates.Close(1);
        var stream = ws.OpenRead("/f");
        await stream.ReadExactlyAsync(new byte[10]);
        await WaitUntilAsync(() => Gates.ReadChunks.Contains(1));

        var disposing = async ? stream.DisposeAsync().AsTask() : Task.Run(stream.Dispose);
        await Task.Delay(200);
        Assert.False(disposing.IsCompleted, "dispose returned while a read-ahead was still reading");
        // The version is deleted and collected while the read-ahead runs: the stream's lease must still hold it.
        ws.Delete("/f");
        await _temp.Store.CollectGarbageAsync();
        Assert.Equal(3, _temp.BlockKeys().Count);

        Gates.Open(1);
        await disposing.WaitAsync(TimeSpan.FromSeconds(10));
        await _temp.Store.CollectGarbageAsync();
        Assert.Empty(_temp.BlockKeys());
    }

    /// <summary>How a block is damaged on disk.</summary>
    public enum Damage { FlipByte, Delete, Truncate, Extend }

    [Fact]
    public void A_damaged_block_fails_exactly_the_read_that_reaches_its_chunk_and_never_returns_wrong_bytes()
    {
        var gen =
            from chunks in Gen.Choose(2, 7)
            from damaged in Gen.Choose(1, chunks - 1)
            from damage in Gen.Elements(Damage.FlipByte, Damage.Delete, Damage.Truncate, Damage.Extend)
            from readSize in Gen.Elements(1, 100, 1000, Chunk - 1, Chunk, Chunk + 1, 3 * Chunk)
            from copyTo in Gen.Elements(false, true)
            select (chunks, damaged, damage, readSize, copyTo);
        Prop.ForAll(Arb.From(gen), c => DamagedCase(c.chunks, c.damaged, c.damage, c.readSize, c.copyTo).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(40).WithQuietOnSuccess(true));
    }

    private async Task DamagedCase(int chunks, int damaged, Damage damage, int readSize, bool copyTo)
    {
        var data = TestData.Bytes(chunks * Chunk, damaged + chunks);
        var ws = Ws();
        await ws.WriteAllBytesAsync("/f", data);
        await _temp.Store.CollectGarbageAsync(GcMode.Full); // the previous case's version is gone: one block per chunk index
        var file = _temp.BlockFiles().Single(f => Path.GetFileName(f) == damaged.ToString(System.Globalization.CultureInfo.InvariantCulture));
        switch (damage)
        {
            case Damage.FlipByte:
                var bytes = File.ReadAllBytes(file);
                bytes[Chunk / 2] ^= 0xFF;
                File.WriteAllBytes(file, bytes);
                break;
            case Damage.Delete: File.Delete(file); break;
            case Damage.Truncate: File.WriteAllBytes(file, File.ReadAllBytes(file)[..(Chunk - 1)]); break;
            case Damage.Extend: File.AppendAllText(file, "x"); break;
        }

        var expected = damage == Damage.Delete ? typeof(BlockMissingException) : typeof(BlockCorruptedException);
        await using var stream = ws.OpenRead("/f");
        var got = new MemoryStream();
        Exception? failure;
        if (copyTo)
        {
            failure = await Record.ExceptionAsync(() => stream.CopyToAsync(got));
        }
        else
        {
            var buffer = new byte[readSize];
            failure = await Record.ExceptionAsync(async () =>
            {
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0) got.Write(buffer, 0, n);
            });
        }
        Assert.NotNull(failure);
        Assert.IsType(expected, failure);
        // Every byte returned was right, and the failure came exactly at the damaged chunk: not
        // earlier (when its read-ahead failed), not later (never skipped).
        var before = damaged * Chunk;
        Assert.Equal(data.AsSpan(0, before).ToArray(), got.ToArray());
        Assert.Equal(before, stream.Position);

        // Reading it again fails again; the chunks before it still read.
        await Assert.ThrowsAsync(expected, async () => _ = await stream.ReadAsync(new byte[10]));
        stream.Position = 0;
        var again = new byte[Chunk];
        await stream.ReadExactlyAsync(again);
        Assert.Equal(data.AsSpan(0, Chunk).ToArray(), again);
    }

    /// <summary>One step of a reader: read so many bytes, or seek somewhere.</summary>
    public sealed record ReadStep(bool Seek, int Amount)
    {
        public override string ToString() => Seek ? $"seek {Amount}" : $"read {Amount}";
    }

    [Fact]
    public void Any_mix_of_reads_and_seeks_returns_the_file_s_bytes_even_with_reads_ahead_in_flight()
    {
        var gen =
            from length in Gen.Choose(0, 9 * Chunk)
            from steps in Gen.ListOf(Gen.OneOf(
                from amount in Gen.Elements(1, 7, 512, Chunk - 1, Chunk, Chunk + 1, 2 * Chunk + 3, 4 * Chunk) select new ReadStep(false, amount),
                from to in Gen.Choose(0, 10 * Chunk) select new ReadStep(true, to)))
            from slow in Gen.Elements(false, true)
            select (length, steps: steps.ToArray(), slow);
        Prop.ForAll(Arb.From(gen), c => ReadCase(c.length, c.steps, c.slow).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(60).WithQuietOnSuccess(true));
    }

    private async Task ReadCase(int length, ReadStep[] steps, bool slow)
    {
        var data = TestData.Bytes(length, length);
        var ws = Ws();
        await ws.WriteAllBytesAsync("/f", data);
        Gates.ResetCounts();
        // Slow: every chunk past the first is held briefly, so seeks land while reads ahead are in flight.
        using var release = new CancellationTokenSource();
        var opener = slow ? Task.Run(async () =>
        {
            while (!release.IsCancellationRequested)
            {
                for (var i = 1; i < 10; i++) Gates.Close(i);
                await Task.Delay(3);
                Gates.OpenAll();
                await Task.Delay(1);
            }
        }) : Task.CompletedTask;
        try
        {
            await using var stream = ws.OpenRead("/f");
            long position = 0;
            foreach (var step in steps)
            {
                if (step.Seek)
                {
                    stream.Position = step.Amount;
                    position = step.Amount;
                    continue;
                }
                var buffer = new byte[step.Amount];
                var n = await stream.ReadAsync(buffer);
                var expected = (int)Math.Clamp(length - position, 0, step.Amount);
                Assert.True(n <= expected && (n > 0 || expected == 0), $"read {n} of {expected} at {position}: {string.Join(", ", steps)}");
                Assert.True(data.AsSpan((int)Math.Min(position, length), n).SequenceEqual(buffer.AsSpan(0, n)), $"wrong bytes at {position}: {string.Join(", ", steps)}");
                position += n;
                Assert.Equal(position, stream.Position);
            }
            // Whatever came before, the rest copies out right.
            var rest = new MemoryStream();
            await stream.CopyToAsync(rest);
            Assert.Equal(data.AsSpan((int)Math.Min(position, length)).ToArray(), rest.ToArray());
            Assert.True(Gates.MaxConcurrentReads <= 3, $"{Gates.MaxConcurrentReads} reads at once");
        }
        finally
        {
            await release.CancelAsync();
            await opener;
            Gates.OpenAll();
        }
    }
}
