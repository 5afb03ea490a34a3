using FsCheck;
using FsCheck.Fluent;
using NoKV.Engine;

namespace NoKV.Tests;

/// <summary>
/// ChunkPatches.PublishAsync: a file's next version made of whole replaced chunks over an open
/// version, published as one generation that borrows every chunk it leaves alone.
/// </summary>
public sealed class ChunkPatchTests
{
    private const int Chunk = TempStore.SmallChunk;

    /// <summary>One generated case: the old file, a cut, a new length, and the chunks replaced.</summary>
    public sealed record PatchCase(int OldLength, int KeepBelow, int NewLength, (int Index, int Length)[] Replaced)
    {
        public override string ToString() =>
            $"old {OldLength}, keep below {KeepBelow}, new {NewLength}, replaced [{string.Join(", ", Replaced.Select(r => $"{r.Index}:{r.Length}"))}]";
    }

    private static readonly Gen<PatchCase> Cases =
        from oldLength in Gen.Choose(0, 6 * Chunk)
        from keep in Gen.Choose(0, oldLength)
        from cut in Gen.Elements(true, false)
        from newLength in Gen.Choose(0, 7 * Chunk)
        from replaced in Gen.ListOf(Gen.Choose(0, 7).SelectMany(i => Gen.Choose(0, Chunk).Select(l => (i, l))), 0)
        select new PatchCase(oldLength, cut ? keep : oldLength, newLength, replaced.DistinctBy(r => r.i).Take(4).ToArray());

    [Fact]
    public void A_patch_publishes_exactly_the_model_bytes_as_one_version_and_borrows_untouched_chunks()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_CHUNK_PATCH_PROPERTY_COUNT"), out var c) ? c : 60;
        Prop.ForAll(Arb.From(Cases), patch => Run(patch).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true));
    }

    private static async Task Run(PatchCase c)
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        var old = TestData.Bytes(c.OldLength, 1);
        await ws.WriteAllBytesAsync("/f", old);
        var before = ws.Stat("/f");
        var chunks = c.Replaced.ToDictionary(r => (long)r.Index, r => (ReadOnlyMemory<byte>)TestData.Bytes(r.Length, 10 + r.Index));

        var basis = OpenVersion.Open(t.Store, ws.ViewOf, before.Inode, snapshotId: 0);
        await using (basis)
        {
            var published = await ChunkPatches.PublishAsync(t.Store, ws.Ref, before.Inode, new ChunkPatch(basis, c.KeepBelow, c.NewLength, chunks), CancellationToken.None);
            Assert.Equal(c.NewLength, published.Size);
        }

        var expected = new byte[c.NewLength];
        for (var p = 0; p < c.NewLength; p++)
        {
            var index = p / Chunk;
            if (chunks.TryGetValue(index, out var bytes)) expected[p] = p - index * Chunk < bytes.Length ? bytes.Span[p - index * Chunk] : (byte)0;
            else if (p < Math.Min(c.KeepBelow, c.OldLength)) expected[p] = old[p];
        }
        Assert.Equal(expected, await ws.ReadAllBytesAsync("/f"));
        var after = ws.Stat("/f");
        Assert.Equal(before.Inode, after.Inode);
        Assert.NotEqual(before.Generation, after.Generation);

        // Every whole chunk the patch left alone and kept is shared, not copied: the new version's
        // chunk record there still names the old generation's block.
        var oldLayout = Layout(t.Store, before.Generation);
        var newLayout = Layout(t.Store, after.Generation);
        for (var i = 0; i < oldLayout.Length; i++)
        {
            var wholeAndKept = (i + 1) * Chunk <= Math.Min(c.KeepBelow, c.OldLength) && (i + 1) * Chunk <= c.NewLength;
            if (!wholeAndKept || chunks.ContainsKey(i)) continue;
            Assert.Equal(oldLayout[i].BlockGen, newLayout[i].BlockGen);
        }
        Assert.True(t.Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_patch_over_a_version_another_write_replaced_publishes_nothing()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * Chunk, 1));
        var ino = ws.Stat("/f").Inode;
        var basis = OpenVersion.Open(t.Store, ws.ViewOf, ino, snapshotId: 0);
        await using (basis)
        {
            await t.Store.Content.WriteAt(ws.Ref, ino, 5, new byte[] { 42 }, CancellationToken.None);
            var other = await ws.ReadAllBytesAsync("/f");
            var patch = new ChunkPatch(basis, basis.Size, basis.Size, new Dictionary<long, ReadOnlyMemory<byte>> { [1] = new byte[Chunk] });
            await Assert.ThrowsAsync<VersionRacedException>(() => ChunkPatches.PublishAsync(t.Store, ws.Ref, ino, patch, CancellationToken.None));
            Assert.Equal(other, await ws.ReadAllBytesAsync("/f"));
        }
        Assert.True(t.Store.Verify().IsHealthy);
    }

    [Fact]
    public async Task An_open_version_stays_readable_after_the_file_is_deleted_and_collected()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        var data = TestData.Bytes(3 * Chunk + 17, 3);
        await ws.WriteAllBytesAsync("/f", data);
        var basis = OpenVersion.Open(t.Store, ws.ViewOf, ws.Stat("/f").Inode, snapshotId: 0);
        await using (basis)
        {
            ws.Delete("/f");
            await t.Store.CollectGarbageAsync();
            var read = new byte[data.Length + 10];
            Assert.Equal(data.Length, await basis.ReadAsync(0, read, CancellationToken.None));
            Assert.Equal(data, read[..data.Length]);
        }
    }

    private static Lmdb.ChunkRecord[] Layout(WorkspaceStore store, long gen) => store.Read(txn =>
    {
        var record = Layers.GenerationTable.Get(txn, gen);
        return Layers.GenerationTable.Layout(txn, gen, record);
    });
}
