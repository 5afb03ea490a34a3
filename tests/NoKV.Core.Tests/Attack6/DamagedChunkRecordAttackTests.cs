using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// Attack (issue 15): damaged format 3 chunk records (an inline chunk whose data does not match
/// its length, an unknown storage byte, a zero chunk carrying data, a zero or inline chunk whose
/// length does not fit its file's layout). A read must fail with a NoKV exception, never a crash
/// or a foreign exception; Verify must not call the store healthy; GC of the damaged version must
/// not crash.
/// </summary>
public sealed class DamagedChunkRecordAttackTests
{
    private const int Chunk = 4096;

    public static TheoryData<string> Damages => ["inline data shorter than its length", "unknown storage byte", "zero chunk with data", "zero chunk of the wrong length", "inline chunk of the wrong length"];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_chunk_record_is_refused_on_read_and_reported_by_verify(string damage)
    {
        using var temp = new TempStore(Chunk, inlineThreshold: TempStore.ProductInline);
        var store = temp.Store;
        var ws = store.CreateWorkspace("/w");
        byte[] content = [.. new byte[2 * Chunk], .. TestData.Bytes(100, 1)];
        await ws.WriteAllBytesAsync("/f", content); // zeros, zeros, inline
        var gen = ws.Stat("/f").Generation;
        store.Meta.Write(txn =>
        {
            var zero = ChunkRecord.Decode(txn.Get(Db.Chunks, Keys.Chunk(gen, 1))!);
            var inline = ChunkRecord.Decode(txn.Get(Db.Chunks, Keys.Chunk(gen, 2))!);
            Assert.Equal(ChunkStorage.Zeros, zero.Storage);
            Assert.Equal(ChunkStorage.Inline, inline.Storage);
            var (index, record) = damage switch
            {
                "inline data shorter than its length" => (2, inline with { Data = inline.Data.AsSpan(0, inline.Data.Length - 1).ToArray() }),
                "unknown storage byte" => (2, inline with { Storage = (ChunkStorage)3 }),
                "zero chunk with data" => (1, zero with { Data = [1, 2, 3] }),
                "zero chunk of the wrong length" => (1, zero with { Length = Chunk - 1 }),
                _ => (2, ChunkRecord.Inline(inline.Data.AsSpan(0, inline.Data.Length - 1), inline.BlockOwner, inline.BlockInode, inline.BlockGen, inline.BlockIndex)),
            };
            txn.Put(Db.Chunks, Keys.Chunk(gen, index), record.Encode());
        });

        var read = await Record.ExceptionAsync(() => ws.ReadAllBytesAsync("/f"));
        Assert.True(read is NoKVException, $"{damage}: a read gave {read?.GetType().FullName ?? "no exception"}: {read?.Message}");

        VerifyReport? report = null;
        var verify = await Record.ExceptionAsync(async () => report = await store.VerifyAsync());
        Assert.True(verify is null or StoreCorruptedException, $"{damage}: Verify threw {verify}");
        Assert.False(report?.IsHealthy ?? false, $"{damage}: Verify calls the store healthy, but reading /f fails with: {read?.Message}");

        ws.Delete("/f");
        var gc = await Record.ExceptionAsync(() => store.CollectGarbageAsync(GcMode.Full));
        Assert.True(gc is null or NoKVException, $"{damage}: GC threw {gc}");
    }
}
