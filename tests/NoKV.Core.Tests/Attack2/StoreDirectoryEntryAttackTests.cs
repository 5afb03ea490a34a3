namespace NoKV.Tests;

/// <summary>
/// Attack: the files NoKV keeps in a store directory (nokv.identity, nokv.lock, nokv.owner,
/// meta/, meta/data.mdb, meta/lock.mdb) replaced by something of the wrong kind. Open must answer
/// with a NoKVException (or open), never a foreign exception, and must not leave the store locked
/// in this process after it failed.
/// </summary>
public sealed class StoreDirectoryEntryAttackTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    private WorkspaceStoreOptions Options(string name) =>
        new() { Directory = Path.Combine(_root, name), ChunkSize = TempStore.SmallChunk, OrphanGracePeriod = TimeSpan.Zero };

    private static async Task<string> CreateStore(WorkspaceStoreOptions options)
    {
        using var store = WorkspaceStore.Open(options);
        var ws = store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/a", TestData.Bytes(3 * TempStore.SmallChunk, 1));
        return MetadataProbe.Digest(store);
    }

    /// <summary>Open must either succeed or throw a NoKVException; returns what it threw.</summary>
    private static Exception? TryOpen(WorkspaceStoreOptions options)
    {
        try
        {
            using var store = WorkspaceStore.Open(options);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static void AssertNoKV(Exception? e)
    {
        if (e is null) return;
        Assert.True(e is NoKVException, $"Open threw {e.GetType().FullName}: {e.Message}");
    }

    // Printed: Open threw System.UnauthorizedAccessException: Access to the path '.../s/nokv.identity' is denied.
    [Fact]
    public async Task An_identity_file_that_is_a_directory_gives_a_NoKV_exception()
    {
        var options = Options("s");
        var digest = await CreateStore(options);
        var identity = Path.Combine(options.Directory!, "nokv.identity");
        File.Delete(identity);
        Directory.CreateDirectory(identity);

        AssertNoKV(TryOpen(options));
    }

    // Printed: Open threw System.UnauthorizedAccessException: Access to the path '.../s/nokv.identity.tmp' is denied.
    [Fact]
    public async Task An_identity_temp_path_that_is_a_directory_does_not_stop_an_old_store_opening()
    {
        var options = Options("s");
        var digest = await CreateStore(options);
        File.Delete(Path.Combine(options.Directory!, "nokv.identity"));     // a store from before identity files
        Directory.CreateDirectory(Path.Combine(options.Directory!, "nokv.identity.tmp"));

        // The metadata is sound: the identity file is written best-effort, and the store opens.
        var e = TryOpen(options);
        Assert.True(e is null, $"Open threw {e?.GetType().Name}: {e?.Message}");
    }

    // Printed: Open threw System.UnauthorizedAccessException: Access to the path '.../s/nokv.owner' is denied.
    [Fact]
    public void An_owner_file_that_is_a_directory_gives_a_NoKV_exception_and_does_not_leave_the_store_locked()
    {
        var options = Options("s");
        Directory.CreateDirectory(Path.Combine(options.Directory!, "nokv.owner"));

        AssertNoKV(TryOpen(options));

        Directory.Delete(Path.Combine(options.Directory!, "nokv.owner"));
        // Nobody holds the store now: the failed open must have let go of its lock.
        Assert.Null(TryOpen(options));
    }

    // Printed: reopen threw StoreLockedException: The store at .../s is already open; a store has one owner at a time.
    [Fact]
    public void A_failed_owner_write_does_not_leave_the_store_locked_in_this_process()
    {
        var options = Options("s");
        Directory.CreateDirectory(Path.Combine(options.Directory!, "nokv.owner"));
        Assert.NotNull(TryOpen(options));

        Directory.Delete(Path.Combine(options.Directory!, "nokv.owner"));
        var e = TryOpen(options);
        Assert.True(e is null, $"reopen threw {e?.GetType().Name}: {e?.Message}");
    }

    // Printed: Open threw System.UnauthorizedAccessException: Access to the path '.../s/nokv.lock' is denied.
    [Fact]
    public void A_lock_file_that_is_a_directory_gives_a_NoKV_exception()
    {
        var options = Options("s");
        Directory.CreateDirectory(Path.Combine(options.Directory!, "nokv.lock"));

        AssertNoKV(TryOpen(options));
    }

    // Printed: Open threw System.UnauthorizedAccessException: Access to the path '.../s/meta/data.mdb' is denied.
    [Fact]
    public async Task A_data_file_that_is_a_directory_is_refused_as_damage()
    {
        var options = Options("s");
        await CreateStore(options);
        var data = Path.Combine(options.Directory!, "meta", "data.mdb");
        File.Delete(data);
        Directory.CreateDirectory(data);

        var e = TryOpen(options);
        Assert.True(e is StoreCorruptedException, $"Open threw {e?.GetType().FullName}: {e?.Message}");
    }

    // Printed: Open threw System.IO.IOException: The file '.../s/meta' already exists.
    [Fact]
    public void A_meta_path_that_is_a_file_in_a_new_directory_gives_a_NoKV_exception()
    {
        var options = Options("s");
        Directory.CreateDirectory(options.Directory!);
        File.WriteAllText(Path.Combine(options.Directory!, "meta"), "not a directory");

        AssertNoKV(TryOpen(options));
    }

    [Fact]
    public async Task Garbage_in_the_lmdb_lock_file_is_harmless()
    {
        var options = Options("s");
        var digest = await CreateStore(options);
        File.WriteAllBytes(Path.Combine(options.Directory!, "meta", "lock.mdb"), TestData.Bytes(8192, 7));
        File.WriteAllBytes(Path.Combine(options.Directory!, "nokv.lock"), TestData.Bytes(100, 8));

        using var store = WorkspaceStore.Open(options);
        Assert.Equal(digest, MetadataProbe.Digest(store));
    }

    [Fact]
    public async Task A_lmdb_lock_file_that_is_a_directory_gives_a_NoKV_exception()
    {
        var options = Options("s");
        await CreateStore(options);
        var lockMdb = Path.Combine(options.Directory!, "meta", "lock.mdb");
        File.Delete(lockMdb);
        Directory.CreateDirectory(lockMdb);

        AssertNoKV(TryOpen(options));
    }

    [Fact]
    public async Task Garbage_identity_file_beside_another_stores_metadata()
    {
        // Identity unreadable AND metadata replaced: nothing can tell; this documents what happens.
        var mine = Options("mine");
        var theirs = Options("theirs");
        await CreateStore(mine);
        using (var other = WorkspaceStore.Open(theirs)) other.CreateWorkspace("/other");
        File.Copy(Path.Combine(theirs.Directory!, "meta", "data.mdb"), Path.Combine(mine.Directory!, "meta", "data.mdb"), overwrite: true);
        File.WriteAllText(Path.Combine(mine.Directory!, "nokv.identity"), "garbage\n");

        AssertNoKV(TryOpen(mine));
    }
}
