using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests;

/// <summary>
/// Random garbage written over the metadata file, anywhere (meta pages included): opening the
/// store, reading everything and running a full GC (in a helper process, since LMDB reading a
/// damaged map can kill its process) either sees every byte intact or fails with a NoKV
/// exception; it never crashes, never throws anything else, and never deletes a block.
/// </summary>
public sealed class MetadataGarbageProperties : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>Where the garbage goes: an offset in the file (as a fraction of its length), how many bytes, and their seed.</summary>
    private sealed record Damage(double Where, int Length, int Seed)
    {
        public override string ToString() => $"{Length} bytes at {Where:P1} (seed {Seed})";
    }

    private static readonly Gen<Damage> Damages =
        from at in Gen.Frequency(
            (1, Gen.Choose(0, 999).Select(p => p / 100_000.0)),   // the two meta pages at the front
            (4, Gen.Choose(0, 9_999).Select(p => p / 10_000.0)))  // anywhere
        from length in Gen.Frequency(
            (2, Gen.Choose(1, 16)),
            (2, Gen.Choose(17, 512)),
            (1, Gen.Choose(1, 4).Select(pages => pages * 4096)))
        from seed in Gen.Choose(0, int.MaxValue)
        select new Damage(at, length, seed);

    [Fact]
    public async Task Garbage_in_the_metadata_file_opens_intact_or_is_refused_and_never_costs_a_block()
    {
        var pristine = Path.Combine(_root, "pristine");
        var digest = await DamagedMetadataTests.CreateStoreWithBlocks(new WorkspaceStoreOptions { Directory = pristine, ChunkSize = TempStore.SmallChunk });
        var blocks = BlockFiles(pristine);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var run = 0;

        Prop.ForAll(Arb.From(Damages), damage =>
        {
            var store = Path.Combine(_root, $"case{run++}");
            CopyDirectory(pristine, store);
            Corrupt(Path.Combine(store, "meta", "data.mdb"), damage);

            var (exitCode, output) = DamagedMetadataTests.Probe(store).GetAwaiter().GetResult();

            if (exitCode != 0) throw new InvalidOperationException($"{damage}: the probe died with exit code {exitCode}: {output}");
            var opened = output.StartsWith("ok ", StringComparison.Ordinal);
            if (opened && output != $"ok {digest}") throw new InvalidOperationException($"{damage}: opened with different content");
            if (!BlockFiles(store).SequenceEqual(blocks)) throw new InvalidOperationException($"{damage}: blocks were deleted ({output})");
            var outcome = opened ? "intact" : output.Split(':')[0];
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            Directory.Delete(store, recursive: true);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(30).WithQuietOnSuccess(true));

        Assert.NotEmpty(outcomes);
    }

    private static void Corrupt(string file, Damage damage)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var offset = (long)(damage.Where * stream.Length);
        var garbage = new byte[(int)Math.Min(damage.Length, stream.Length - offset)];
        new Random(damage.Seed).NextBytes(garbage);
        stream.Position = offset;
        stream.Write(garbage);
    }

    private static List<string> BlockFiles(string store)
    {
        var root = Path.Combine(store, "blocks");
        return [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) is "nokv.lock" or "lock.mdb") continue; // another owner's lock state, not the store
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
