using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// GC's pending-session pass deletes a session's blocks only when nothing uses them: a leftover
/// pending record naming a generation that was published, collected, and whose blocks a later
/// version still borrows (an append shares whole chunks) must not take those blocks with it.
/// The same rule as the full sweep (BlockRefTable.MinterLive).
/// </summary>
public sealed class PendingOrphanHardeningTests
{
    [Fact]
    public async Task A_stale_pending_record_never_deletes_blocks_a_later_version_borrows()
    {
        using var temp = new TempStore();
        var ws = temp.Store.CreateWorkspace("/w");
        var first = TestData.Bytes(3 * TempStore.SmallChunk, 1);
        await ws.WriteAllBytesAsync("/f", first);
        var firstGen = ws.Stat("/f").Generation;
        var tail = TestData.Bytes(100, 2);
        await using (var append = await ws.OpenAppendAsync("/f")) await append.WriteAsync(tail);
        temp.Store.CollectGarbage(); // the first version is collected; its whole chunks live on, borrowed
        var borrowed = temp.BlockKeys().Where(k => Blocks.BlockKeys.TryParseGeneration(k, out var g) && g == firstGen).ToList();
        Assert.Equal(3, borrowed.Count);

        // A pending record for that generation, as a crash between the two could never leave it
        // but damage or a future bug might: old enough for GC to act on.
        var parts = borrowed[0].Split('/');
        temp.Store.Meta.Write(txn => txn.Put(Db.PendingGenerations, Keys.Generation(firstGen),
            new PendingRecord(long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), 1).Encode()));
        temp.Store.CollectGarbage();

        var expected = first.Concat(tail).ToArray();
        Assert.Equal(expected, await ws.ReadAllBytesAsync("/f"));
        Assert.True(temp.Store.Verify().IsHealthy);
    }
}
