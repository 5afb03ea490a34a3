using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>
/// Generated sequences of put, delete, read, list and crash over a few generations' chunks on the
/// extent layout. A crash closes the store, plays a put cut short on disk (part of the bytes, no
/// bytes, half an entry, or the file's end lost) into a slot that holds nothing, and reopens the
/// store. After every step each key reads back exactly what its last completed put stored, or
/// <see cref="BlockMissingException"/> when it has none; exists agrees; a listing holds every
/// stored key and nothing else but the cut-short puts' keys (it reads slot entries only).
/// </summary>
public sealed class LocalBlockStoreExtentTornWriteProperties : IDisposable
{
    private const int Slot = 8192;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-extents", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    public abstract record Op;
    public sealed record Put(int Generation, int Chunk, int Length, int Seed) : Op;
    public sealed record Delete(int Generation, int Chunk) : Op;
    public sealed record Crash(int Generation, int Chunk, int Kind, int Length, int Cut) : Op;
    public sealed record ReadAll : Op;

    private static readonly Gen<int> Generation = Gen.Choose(0, 2);
    private static readonly Gen<int> Chunk = Gen.Choose(0, 4);
    private static readonly Gen<int> Length = Gen.OneOf(Gen.Choose(1, Slot), Gen.Constant(Slot), Gen.Constant(Slot + 1), Gen.Choose(1, 64));

    private static readonly Gen<Op> Ops = Gen.Frequency(
        (5, from g in Generation from c in Chunk from l in Length from s in Gen.Choose(0, 1000) select (Op)new Put(g, c, l, s)),
        (2, from g in Generation from c in Chunk select (Op)new Delete(g, c)),
        (2, from g in Generation from c in Chunk from k in Gen.Choose(0, 3) from l in Gen.Choose(2, Slot) from cut in Gen.Choose(0, Slot) select (Op)new Crash(g, c, k, l, cut)),
        (1, Gen.Constant((Op)new ReadAll())));

    [Fact]
    public void Every_key_reads_its_last_completed_put_or_missing_whatever_crashes_tore()
    {
        Prop.ForAll(Gen.ListOf(Ops).Select(o => o.ToArray()).ToArbitrary(), ops =>
        {
            var dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
            var model = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var torn = new HashSet<string>(StringComparer.Ordinal);
            var store = Open(dir);
            try
            {
                foreach (var op in ops)
                {
                    switch (op)
                    {
                        case Put p:
                            var data = TestData.Bytes(p.Length, p.Seed);
                            store.PutAsync(Key(p.Generation, p.Chunk), data).AsTask().GetAwaiter().GetResult();
                            model[Key(p.Generation, p.Chunk)] = data;
                            torn.Remove(Key(p.Generation, p.Chunk)); // the put replaced whatever the crash left
                            break;
                        case Delete d:
                            var existed = store.DeleteAsync(Key(d.Generation, d.Chunk)).AsTask().GetAwaiter().GetResult();
                            if (!torn.Contains(Key(d.Generation, d.Chunk))) Assert.Equal(model.ContainsKey(Key(d.Generation, d.Chunk)), existed);
                            model.Remove(Key(d.Generation, d.Chunk));
                            torn.Remove(Key(d.Generation, d.Chunk));
                            break;
                        case Crash c:
                            store.Dispose();
                            // A crash cuts short only a put into a slot that holds nothing, and the
                            // file's end is lost only past every completed put (each was flushed).
                            var key = Key(c.Generation, c.Chunk);
                            var kind = c.Kind == 3 && model.Keys.Any(k => k.StartsWith($"1/2/{c.Generation}/", StringComparison.Ordinal) && ChunkOf(k) >= c.Chunk) ? 0 : c.Kind;
                            if (!model.ContainsKey(key) && !torn.Contains(key))
                            {
                                ExtentTestFiles.Tear(dir, $"1/2/{c.Generation}", c.Chunk, Slot, TestData.Bytes(c.Length, c.Cut), kind, c.Cut);
                                torn.Add(key);
                            }
                            store = Open(dir);
                            break;
                    }
                    Check(store, model, torn, op);
                }
            }
            finally
            {
                store.Dispose();
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(150).WithQuietOnSuccess(true));
    }

    private static void Check(LocalBlockStore store, Dictionary<string, byte[]> model, HashSet<string> torn, Op after)
    {
        var buffer = new byte[Slot + 2];
        for (var g = 0; g <= 2; g++)
        {
            for (var c = 0; c <= 4; c++)
            {
                var key = Key(g, c);
                if (model.TryGetValue(key, out var expected))
                {
                    var n = store.ReadAsync(key, 0, buffer).AsTask().GetAwaiter().GetResult();
                    Assert.True(expected.AsSpan().SequenceEqual(buffer.AsSpan(0, n)), $"after {after}: {key} read {n} bytes that are not its last put's {expected.Length}");
                    Assert.True(store.ExistsAsync(key).AsTask().GetAwaiter().GetResult(), $"after {after}: {key} does not exist");
                }
                else
                {
                    Assert.Throws<BlockMissingException>(() => store.ReadAsync(key, 0, buffer).AsTask().GetAwaiter().GetResult());
                    Assert.Throws<BlockMissingException>(() => store.ReadAsync(key, 1, buffer.AsMemory(0, 1)).AsTask().GetAwaiter().GetResult());
                    Assert.False(store.ExistsAsync(key).AsTask().GetAwaiter().GetResult(), $"after {after}: {key} exists");
                }
            }
        }
        var listed = new List<string>();
        foreach (var block in store.ListAsync("").ToBlockingEnumerable()) listed.Add(block.Key);
        Assert.True(listed.Count == listed.Distinct().Count(), $"after {after}: a key listed twice: [{string.Join(", ", listed)}]");
        Assert.True(model.Keys.All(listed.Contains), $"after {after}: listing [{string.Join(", ", listed)}] misses a stored key of [{string.Join(", ", model.Keys)}]");
        Assert.True(listed.All(k => model.ContainsKey(k) || torn.Contains(k)), $"after {after}: listing [{string.Join(", ", listed)}] holds a key never stored");
    }

    private static LocalBlockStore Open(string dir) => new(dir, new LocalBlockStoreOptions { Durable = false, ExtentSlotSize = Slot });

    private static string Key(int generation, int chunk) => $"1/2/{generation}/{chunk}";

    private static int ChunkOf(string key) => int.Parse(key[(key.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
