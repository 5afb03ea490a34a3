namespace NoKV.Tests;

/// <summary>A full disk under the block store is ENOSPC through the mount (not EIO), and leaves the stored file as it was.</summary>
public sealed class MountedSpaceErrorTests
{
    /// <summary>A real local block store whose disk can be made "full": every PUT then fails as .NET reports ENOSPC on Linux.</summary>
    private sealed class FillableBlockStore(string directory) : IBlockStore
    {
        private readonly LocalBlockStore _inner = new(directory);

        public volatile bool Full;

        public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
            Full ? throw new IOException("No space left on device", 28) : _inner.PutAsync(key, data, cancellationToken);

        public ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(key, offset, destination, cancellationToken);

        public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);

        public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _inner.ExistsAsync(key, cancellationToken);

        public IAsyncEnumerable<BlockInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListAsync(prefix, cancellationToken);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }

    [FuseFact]
    public async Task Writing_to_a_full_disk_fails_with_ENOSPC_and_keeps_the_old_version()
    {
        FillableBlockStore? blocks = null;
        await using var t = new MountedStore(blockStore: dir => blocks = new FillableBlockStore(dir));
        await t.Base.WriteAllBytesAsync("/f", new byte[200_000]);
        var mount = await t.MountAsync("/base");
        blocks!.Full = true;

        var (code, output) = Fuse.Run(mount.Directory, "dd", "if=/dev/urandom", "of=f", "bs=64k", "count=4", "conv=fsync,notrunc");
        Assert.NotEqual(0, code);
        Assert.Contains("No space left on device", output);
        Assert.Equal(new byte[200_000], await t.Base.ReadAllBytesAsync("/f"));
    }
}
