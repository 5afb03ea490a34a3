using NoKV.Lmdb;

namespace NoKV.Tests;

/// <summary>
/// A store recognises itself: {store}/nokv.identity and the metadata's store-id record name the
/// same store. Stores from before the identity file open and get one; metadata from another store,
/// or no metadata where a store has been, is refused; a full GC never sweeps blocks its metadata
/// never wrote.
/// </summary>
public sealed class StoreIdentityTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    private WorkspaceStoreOptions Options(string name, IBlockStore? blocks = null) =>
        new() { Directory = Path.Combine(_root, name), ChunkSize = TempStore.SmallChunk, OrphanGracePeriod = TimeSpan.Zero, BlockStore = blocks };

    private static string IdentityFile(WorkspaceStoreOptions options) => Path.Combine(options.Directory!, "nokv.identity");

    private static List<string> Files(string directory) =>
        Directory.Exists(directory) ? [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)] : [];

    [Fact]
    public async Task A_store_from_before_identity_files_opens_with_its_data_and_gets_one()
    {
        var options = Options("old");
        var digest = await DamagedMetadataTests.CreateStoreWithBlocks(options);
        // Make it what the previous version left: no identity file, no store-id record.
        File.Delete(IdentityFile(options));
        using (var meta = MetaDb.Open(Path.Combine(options.Directory!, "meta"), options.MaxMetadataSize, () => "must exist"))
        {
            Assert.True(meta.Write(txn => txn.Delete(Db.Meta, "store-id"u8)));
        }

        using (var store = WorkspaceStore.Open(options))
        {
            Assert.Equal(digest, MetadataProbe.Digest(store));
            Assert.Contains($"id {store.Meta.StoreId:N}", File.ReadAllText(IdentityFile(options)), StringComparison.Ordinal);
        }
        using (var reopened = WorkspaceStore.Open(options)) Assert.Equal(digest, MetadataProbe.Digest(reopened));
    }

    [Fact]
    public async Task Metadata_copied_from_another_store_is_refused()
    {
        var mine = Options("mine");
        var theirs = Options("theirs");
        await DamagedMetadataTests.CreateStoreWithBlocks(mine);
        using (var other = WorkspaceStore.Open(theirs)) other.CreateWorkspace("/other");
        var blocks = Files(Path.Combine(mine.Directory!, "blocks"));
        File.Copy(Path.Combine(theirs.Directory!, "meta", "data.mdb"), Path.Combine(mine.Directory!, "meta", "data.mdb"), overwrite: true);

        var e = Assert.Throws<StoreCorruptedException>(() => WorkspaceStore.Open(mine));

        Assert.Contains("another store", e.Message, StringComparison.Ordinal);
        Assert.Equal(blocks, Files(Path.Combine(mine.Directory!, "blocks")));
    }

    [Fact]
    public async Task An_unreadable_identity_file_beside_sound_metadata_is_rewritten()
    {
        var options = Options("garbled");
        var digest = await DamagedMetadataTests.CreateStoreWithBlocks(options);
        File.WriteAllText(IdentityFile(options), "garbage");

        using var store = WorkspaceStore.Open(options);

        Assert.Equal(digest, MetadataProbe.Digest(store));
        Assert.Contains($"id {store.Meta.StoreId:N}", File.ReadAllText(IdentityFile(options)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lost_store_directory_is_not_recreated_over_an_external_block_stores_blocks()
    {
        // An external block store (as S3 is) outlives the store directory: a new directory pointed
        // at it must not start an empty store whose first full GC deletes every block.
        var external = Path.Combine(_root, "external-blocks");
        var options = Options("s3-like", new LocalBlockStore(external));
        await DamagedMetadataTests.CreateStoreWithBlocks(options);
        var blocks = Files(external);
        Directory.Delete(options.Directory!, recursive: true);

        var e = Assert.Throws<StoreCorruptedException>(() =>
        {
            using var store = WorkspaceStore.Open(options);
            store.CollectGarbage(GcMode.Full);
        });

        Assert.Contains("already holds NoKV blocks", e.Message, StringComparison.Ordinal);
        Assert.Equal(blocks, Files(external));
        Assert.False(Directory.Exists(Path.Combine(options.Directory!, "meta")));
    }

    [Fact]
    public async Task A_full_gc_never_sweeps_blocks_its_metadata_never_wrote()
    {
        // A fresh store shares its block store with another store's blocks (a misconfigured S3
        // prefix, say): its metadata never wrote a block, so it cannot vouch for any.
        var shared = Path.Combine(_root, "shared-blocks");
        await DamagedMetadataTests.CreateStoreWithBlocks(Options("first", new LocalBlockStore(shared)));
        var blocks = Files(shared);
        using var empty = WorkspaceStore.Open(Options("empty"));
        using var second = WorkspaceStore.Open(Options("second", new LocalBlockStore(Path.Combine(_root, "second-blocks"))));
        foreach (var file in blocks)
        {
            var target = Path.Combine(_root, "second-blocks", Path.GetRelativePath(shared, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var e = await Assert.ThrowsAsync<StoreCorruptedException>(() => second.CollectGarbageAsync(GcMode.Full));

        Assert.Contains("never written a block", e.Message, StringComparison.Ordinal);
        Assert.Equal(blocks.Count, Files(Path.Combine(_root, "second-blocks")).Count);
        Assert.Equal(0, empty.CollectGarbage(GcMode.Full).OrphansDeleted); // an empty block store sweeps as before
    }

    [Fact]
    public void A_new_store_writes_its_identity_file_and_a_new_empty_directory_still_opens()
    {
        var options = Options("fresh");
        using (var store = WorkspaceStore.Open(options))
        {
            Assert.Contains($"id {store.Meta.StoreId:N}", File.ReadAllText(IdentityFile(options)), StringComparison.Ordinal);
        }
        using var reopened = WorkspaceStore.Open(options);
        Assert.Empty(reopened.ListWorkspaces());
    }
}
