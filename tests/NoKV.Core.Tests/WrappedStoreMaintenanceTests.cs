namespace NoKV.Tests;

/// <summary>
/// GC finds block-store maintenance by capability, not by concrete type: a local store behind a
/// decorator (fault injection, metrics, tracing) still gets the temporary files of crashed writes
/// removed by a full collection.
/// </summary>
public sealed class WrappedStoreMaintenanceTests
{
    [Fact]
    public void A_full_gc_removes_stale_temporary_files_of_a_wrapped_local_store()
    {
        using var temp = new TempStore(blocks: dir => new FaultyBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks")), key => new IOException("unused " + key)));
        var stale = PlantStaleTemporaryFile(temp.BlocksDirectory);

        temp.Store.CollectGarbage(GcMode.Full);

        Assert.False(File.Exists(stale), $"{stale} survived a full GC of a wrapped local store");
    }

    [Fact]
    public void A_full_gc_removes_stale_temporary_files_behind_two_decorators()
    {
        using var temp = new TempStore(blocks: dir => new SlowPutBlockStore(new FaultyBlockStore(new LocalBlockStore(Path.Combine(dir, "blocks")), key => new IOException("unused " + key))));
        var stale = PlantStaleTemporaryFile(temp.BlocksDirectory);

        temp.Store.CollectGarbage(GcMode.Full);

        Assert.False(File.Exists(stale), $"{stale} survived a full GC behind two decorators");
    }

    /// <summary>What a crash between creating a block's temporary file and renaming it leaves behind.</summary>
    private static string PlantStaleTemporaryFile(string blocksDirectory)
    {
        var dir = Path.Combine(blocksDirectory, "1", "2");
        Directory.CreateDirectory(dir);
        var stale = Path.Combine(dir, ".tmp-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(stale, [1, 2, 3]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));
        return stale;
    }

    /// <summary>A second decorator layer that changes nothing but timing.</summary>
    private sealed class SlowPutBlockStore(IBlockStore inner) : DecoratedBlockStore(inner)
    {
        public override async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            await Inner.PutAsync(key, data, cancellationToken);
        }
    }
}
