namespace NoKV.Tests;

/// <summary>
/// Extent slots under concurrency: puts to different slots of one file side by side (pipelined
/// uploads), reads while they write, deletes and rewrites racing reads. A read returns a whole
/// version of the block or <see cref="BlockMissingException"/>, never anything else.
/// </summary>
public sealed class LocalBlockStoreExtentConcurrencyTests : IDisposable
{
    private const int Slot = 16 * 1024;
    private const int Generations = 3;
    private const int Chunks = 12;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-extents", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    // Version v of a key: its own bytes, of a length that differs by version, so a mix of two
    // versions or a torn copy matches none of them.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int, int, int), byte[]> _versions = new();

    private byte[] Version(int generation, int chunk, int version) =>
        _versions.GetOrAdd((generation, chunk, version), k => TestData.Bytes(Slot - (k.Item3 % 3) * 1000, (k.Item1 * 100 + k.Item2) * 100 + k.Item3));

    [Fact]
    public async Task Concurrent_puts_reads_deletes_and_rewrites_never_return_wrong_bytes()
    {
        await using var store = new LocalBlockStore(_root, new LocalBlockStoreOptions { Durable = false, ExtentSlotSize = Slot });
        var versions = new int[Generations, Chunks];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var wrong = 0;
        long reads = 0, missing = 0, rewrites = 0;

        // Every chunk of every generation written at once, from many threads.
        await Parallel.ForAsync(0, Generations * Chunks, async (i, ct) =>
            await store.PutAsync(Key(i / Chunks, i % Chunks), Version(i / Chunks, i % Chunks, 0), ct));

        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                var (g, c) = (random.Next(Generations), random.Next(Chunks));
                lock (versions)
                {
                    // One writer per key at a time, so "the versions a key has had" is exact.
                    if (versions[g, c] < 0) continue;
                    versions[g, c] = -versions[g, c] - 1;
                }
                var next = -versions[g, c];
                await store.DeleteAsync(Key(g, c));
                await store.PutAsync(Key(g, c), Version(g, c, next));
                lock (versions) versions[g, c] = next;
                Interlocked.Increment(ref rewrites);
            }
        })).ToArray();

        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
        {
            var random = new Random(100 + r);
            var buffer = new byte[Slot + 1];
            while (!stop.IsCancellationRequested)
            {
                var (g, c) = (random.Next(Generations), random.Next(Chunks));
                // The read may return a version current at some moment while it ran: from the one
                // completed before it started to the one in flight after it returned.
                int from, upTo;
                lock (versions) from = versions[g, c] >= 0 ? versions[g, c] : -versions[g, c] - 1;
                try
                {
                    var n = await store.ReadAsync(Key(g, c), 0, buffer);
                    lock (versions) upTo = Math.Abs(versions[g, c]) + 1;
                    var got = buffer.AsSpan(0, n);
                    var matches = false;
                    for (var v = from; v <= upTo && !matches; v++) matches = got.SequenceEqual(Version(g, c, v));
                    if (!matches) Interlocked.Increment(ref wrong);
                }
                catch (BlockMissingException)
                {
                    Interlocked.Increment(ref missing); // a delete's window: allowed
                }
                Interlocked.Increment(ref reads);
            }
        })).ToArray();

        await Task.WhenAll(writers.Concat(readers));
        Assert.True(rewrites > 10 && reads > 100, $"too little ran: {rewrites} rewrites, {reads} reads");
        Assert.True(wrong == 0, $"{wrong} of {reads} reads returned bytes of no version ({missing} missing, {rewrites} rewrites)");
        for (var g = 0; g < Generations; g++)
        {
            for (var c = 0; c < Chunks; c++)
            {
                var buffer = new byte[Slot + 1];
                var n = await store.ReadAsync(Key(g, c), 0, buffer);
                Assert.Equal(Version(g, c, versions[g, c]), buffer[..n]);
            }
        }
    }

    private static string Key(int generation, int chunk) => $"1/2/{generation}/{chunk}";
}
