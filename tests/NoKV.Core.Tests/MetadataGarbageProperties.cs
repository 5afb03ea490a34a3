using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// Damaged metadata files, opened in a helper process (LMDB reading a damaged map can kill its
/// process) that reads everything and runs a full GC. Whole pages of garbage anywhere (meta pages
/// included) or a cut at any length: the store opens with every byte intact or is refused with a
/// NoKV exception, and no block is deleted. A few garbage bytes anywhere: never a crash and never
/// an exception from outside the NoKV family. (Bytes changed inside a record's key or value are
/// not detectable: neither LMDB nor NoKV checksums records.) NOKV_METADATA_DAMAGE_COUNT sets the
/// number of cases per property (default 20).
/// </summary>
public sealed class MetadataGarbageProperties(ITestOutputHelper log) : IDisposable
{
    private const int PageSize = 4096;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>
    /// Where the damage goes, as a fraction of the file's length; <see cref="Length"/> bytes of
    /// garbage from <see cref="Seed"/> (whole pages when <see cref="Pages"/>), or a cut when 0.
    /// </summary>
    private sealed record Damage(double Where, int Length, bool Pages, int Seed)
    {
        public override string ToString() => Length == 0 ? $"cut at {Where:P1}" : $"{Length} garbage bytes at {Where:P1}{(Pages ? " (whole pages)" : "")} (seed {Seed})";
    }

    private static readonly Gen<double> Anywhere = Gen.Frequency(
        (1, Gen.Choose(0, 999).Select(p => p / 100_000.0)),   // the two meta pages at the front
        (4, Gen.Choose(0, 9_999).Select(p => p / 10_000.0)));

    private static readonly Gen<Damage> PagesOrCut =
        from at in Anywhere
        from pages in Gen.Frequency((3, Gen.Choose(1, 4)), (1, Gen.Constant(0)))
        from seed in Gen.Choose(0, int.MaxValue)
        select new Damage(at, pages * PageSize, Pages: true, seed);

    private static readonly Gen<Damage> Bytes =
        from at in Anywhere
        from length in Gen.Frequency((2, Gen.Choose(1, 16)), (1, Gen.Choose(17, 512)))
        from seed in Gen.Choose(0, int.MaxValue)
        select new Damage(at, length, Pages: false, seed);

    [Fact]
    public async Task Garbage_pages_or_a_cut_leave_the_store_intact_or_refused_and_never_cost_a_block()
    {
        await Check(PagesOrCut, mustBeIntactOrRefused: true);
    }

    [Fact]
    public async Task Garbage_bytes_anywhere_never_crash_the_process_or_escape_as_a_foreign_exception()
    {
        await Check(Bytes, mustBeIntactOrRefused: false);
    }

    private async Task Check(Gen<Damage> damages, bool mustBeIntactOrRefused)
    {
        var pristine = Path.Combine(_root, "pristine");
        var digest = await CreateStoreWithFreePages(pristine);
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_METADATA_DAMAGE_COUNT"), out var c) ? c : 20;
        var blocks = BlockFiles(pristine);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var run = 0;

        Prop.ForAll(Arb.From(damages), damage =>
        {
            var store = Path.Combine(_root, $"case{run++}");
            CopyDirectory(pristine, store);
            Corrupt(Path.Combine(store, "meta", "data.mdb"), damage);

            var (exitCode, output) = DamagedMetadataTests.Probe(store).GetAwaiter().GetResult();

            var opened = output.StartsWith("ok ", StringComparison.Ordinal);
            var failure = exitCode != 0 ? $"the probe died with exit code {exitCode}: {output}"
                : !mustBeIntactOrRefused ? null
                : opened && output != $"ok {digest}" ? "opened with different content"
                : !BlockFiles(store).SequenceEqual(blocks) ? $"blocks were deleted ({output})"
                : null;
            if (failure is not null) throw new InvalidOperationException($"{damage}: {failure}; the damaged store is kept at {Keep(store)}");
            var outcome = (!opened ? output.Split(':')[0] : output == $"ok {digest}" ? "intact" : "opened, records changed")
                + (BlockFiles(store).SequenceEqual(blocks) ? "" : " (blocks deleted)");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            Directory.Delete(store, recursive: true);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true));

        log.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
        Assert.Equal(count, outcomes.Values.Sum());
    }

    /// <summary>A closed store with blocks whose metadata has free pages (files deleted and collected), and its digest.</summary>
    private static async Task<string> CreateStoreWithFreePages(string directory)
    {
        var options = new WorkspaceStoreOptions { Directory = directory, ChunkSize = TempStore.SmallChunk };
        await DamagedMetadataTests.CreateStoreWithBlocks(options);
        using var store = WorkspaceStore.Open(options);
        var ws = store.CreateWorkspace("/churn");
        for (var i = 0; i < 200; i++) await ws.WriteAllBytesAsync($"/f{i}", TestData.Bytes(100, i));
        for (var i = 0; i < 200; i += 2) ws.Delete($"/f{i}");
        // Collect everything collectable, so a full GC of the intact store deletes nothing.
        store.CollectGarbage(GcMode.Full);
        store.CollectGarbage(GcMode.Full);
        return MetadataProbe.Digest(store);
    }

    /// <summary>Moves a failing case's store out of the test's directory, so it can be examined.</summary>
    private static string Keep(string store)
    {
        var kept = Path.Combine(Path.GetTempPath(), "nokv-damaged-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.Move(store, kept);
        return kept;
    }

    private static void Corrupt(string file, Damage damage)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var offset = (long)(damage.Where * stream.Length);
        if (damage.Pages && damage.Length > 0) offset -= offset % PageSize;
        if (damage.Length == 0)
        {
            stream.SetLength(offset);
            return;
        }
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
