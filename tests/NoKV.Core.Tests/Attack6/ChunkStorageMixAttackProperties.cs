using FsCheck;
using FsCheck.Fluent;
using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// Attack (issue 15, first part): edit sequences on one file that mix inline tails, zero chunks
/// and block chunks across chunk boundaries, at inline thresholds of 0, small, one under the chunk
/// size, the chunk size and above it, with snapshots, rollbacks and clones of the mixed versions.
/// After every step the file (read whole, read from a seek, and copied with CopyToAsync) equals
/// a byte-array model; at the end every pinned version still reads as it was, and after a full GC
/// the block store holds exactly the blocks reachable versions name, and Verify is healthy.
/// </summary>
public sealed class ChunkStorageMixAttackProperties
{
    private const int Chunk = 4096;

    private enum Kind { Write, Append, Truncate, WriteAt, Snapshot, Rollback, Clone, Gc }

    private sealed record Step(Kind Kind, long Offset, int Length, int Pattern, int Seed)
    {
        public override string ToString() => $"{Kind}(off {Offset}, len {Length}, pattern {Pattern}, seed {Seed})";
    }

    /// <summary>Lengths and offsets at and around chunk boundaries and inline thresholds.</summary>
    private static readonly Gen<int> Edgy = Gen.OneOf(
        from k in Gen.Choose(0, 4) from d in Gen.Elements(-1, 0, 1) select Math.Max(0, k * Chunk + d),
        Gen.Elements(0, 1, 99, 100, 101, Chunk - 1, Chunk, Chunk + 1, 2 * Chunk, 3 * Chunk - 1),
        Gen.Choose(0, 5 * Chunk));

    private static readonly Gen<Step> AnyStep =
        from kind in Gen.Frequency(
            (4, Gen.Constant(Kind.Write)), (4, Gen.Constant(Kind.Append)), (3, Gen.Constant(Kind.Truncate)),
            (4, Gen.Constant(Kind.WriteAt)), (1, Gen.Constant(Kind.Snapshot)), (1, Gen.Constant(Kind.Rollback)),
            (1, Gen.Constant(Kind.Clone)), (1, Gen.Constant(Kind.Gc)))
        from offset in Edgy
        from length in Edgy
        from pattern in Gen.Choose(0, 3)
        from seed in Gen.Choose(0, 1_000_000)
        select new Step(kind, offset, length, pattern, seed);

    private static readonly Gen<(int Threshold, Step[] Steps)> Scenario =
        from threshold in Gen.Elements(0, 100, Chunk - 1, Chunk, WorkspaceStoreOptions.MaxInlineThreshold)
        from steps in Gen.ListOf(AnyStep, 25)
        select (threshold, steps.ToArray());

    /// <summary>Pattern 0: zeros; 1: random; 2: zeros with one random byte at the end; 3: random with a whole zero chunk inside.</summary>
    private static byte[] Data(int length, int pattern, int seed)
    {
        var data = pattern == 0 ? new byte[length] : TestData.Bytes(length, seed);
        if (pattern == 2)
        {
            Array.Clear(data);
            if (length > 0) data[^1] = 7;
        }
        if (pattern == 3 && length >= Chunk / 2 + Chunk + 1) Array.Clear(data, Chunk / 2, Chunk + 1); // covers a whole chunk wherever the write lands
        return data;
    }

    [Fact]
    public void Mixed_inline_zero_and_block_chunks_keep_every_byte_and_gc_stays_exact()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_ATTACK6_COUNT"), out var c) ? c : 30;
        Prop.ForAll(Arb.From(Scenario), scenario => Run(scenario.Threshold, scenario.Steps).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true));
    }

    private static async Task Run(int threshold, Step[] steps)
    {
        using var temp = new TempStore(Chunk, inlineThreshold: threshold);
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(10, 0));
        var model = TestData.Bytes(10, 0);
        var pins = new List<(SnapshotPin Pin, byte[] Content)>();
        var clones = new List<(Workspace Ws, byte[] Content)>();
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            var data = Data(step.Length, step.Pattern, step.Seed);
            switch (step.Kind)
            {
                case Kind.Write:
                    await ws.WriteAllBytesAsync("/f", data);
                    model = data;
                    break;
                case Kind.Append:
                    await using (var append = await ws.OpenAppendAsync("/f")) await append.WriteAsync(data);
                    model = [.. model, .. data];
                    break;
                case Kind.Truncate:
                    await ws.TruncateAsync("/f", step.Offset);
                    model = step.Offset <= model.Length ? model[..(int)step.Offset] : [.. model, .. new byte[step.Offset - model.Length]];
                    break;
                case Kind.WriteAt:
                    await store.Content.WriteAt(ws.Ref, ws.Stat("/f").Inode, step.Offset, data, CancellationToken.None);
                    var end = (int)step.Offset + data.Length;
                    // A new array: pinned versions keep the old one.
                    model = end > model.Length ? [.. model, .. new byte[end - model.Length]] : [.. model];
                    data.CopyTo(model, (int)step.Offset);
                    break;
                case Kind.Snapshot:
                    pins.Add((ws.Snapshot(), model));
                    break;
                case Kind.Rollback when pins.Count > 0:
                    var (pin, content) = pins[step.Seed % pins.Count];
                    ws.Rollback(pin);
                    model = content;
                    break;
                case Kind.Clone when pins.Count > 0:
                    var source = pins[step.Seed % pins.Count];
                    var clone = store.Clone(source.Pin, $"/c{i}").Workspace;
                    // Edit the clone too: its edits borrow the pinned version's chunks.
                    await clone.TruncateAsync("/f", source.Content.Length + step.Length);
                    clones.Add((clone, [.. source.Content, .. new byte[step.Length]]));
                    break;
                case Kind.Gc:
                    await store.CollectGarbageAsync(GcMode.Full);
                    break;
            }
            await AssertReads(ws, model, step, $"after step {i} {step} at threshold {threshold}");
        }

        foreach (var (pin, content) in pins) Assert.Equal(content, await pin.ReadAllBytesAsync("/f"));
        foreach (var (clone, content) in clones) Assert.Equal(content, await clone.ReadAllBytesAsync("/f"));
        foreach (var (pin, _) in pins) store.ReleaseSnapshot(pin.Id);
        foreach (var (clone, _) in clones) store.DeleteWorkspace(clone.Path);
        await store.CollectGarbageAsync(GcMode.Full);
        await store.CollectGarbageAsync(GcMode.Full);

        Assert.Equal(ReachableBlocks.Of(store), temp.BlockKeys());
        var report = await store.VerifyAsync();
        Assert.True(report.IsHealthy, $"threshold {threshold}: " + string.Join("; ", report.Problems));
        Assert.Equal(model, await temp.Reopen().OpenWorkspace("/w").ReadAllBytesAsync("/f"));
    }

    private static async Task AssertReads(Workspace ws, byte[] model, Step step, string where)
    {
        var whole = await ws.ReadAllBytesAsync("/f");
        Assert.True(model.AsSpan().SequenceEqual(whole), $"whole read differs {where}");
        await using var stream = ws.OpenRead("/f");
        Assert.Equal(model.Length, stream.Length);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        var copied = copy.ToArray();
        Assert.True(model.AsSpan().SequenceEqual(copied), $"CopyToAsync differs {where}");
        if (model.Length == 0) return;
        // A seek anywhere, then a read that may straddle inline, zero and block chunks.
        var at = (int)(step.Offset % model.Length);
        stream.Position = at;
        var buffer = new byte[Math.Min(model.Length - at, 2 * Chunk + 3)];
        await stream.ReadExactlyAsync(buffer);
        Assert.True(model.AsSpan(at, buffer.Length).SequenceEqual(buffer), $"read at {at} differs {where}");
    }
}
