namespace NoKV.Tests.BlockStoreContract;

/// <summary>
/// What every <see cref="IBlockStore"/> promises, run once per implementation (local disk, S3, the
/// fault-injecting wrappers with no faults): reads at offsets and short reads, missing blocks,
/// overwrite, delete and its result, exists, <see cref="IBlockStore.ListAsync"/>'s plain string
/// prefix, the one key rule set, cancellation and disposal. The listing and key-rule properties
/// are in <see cref="BlockStoreContractTests"/>'s other part (BlockStoreContractTests.Properties.cs).
/// </summary>
public abstract partial class BlockStoreContractTests
{
    /// <summary>A fresh, empty store of the implementation under test (skips the test when its backend is absent).</summary>
    protected abstract IBlockStore CreateStore();

    /// <summary>Skips the test when the backend is absent (outside CI).</summary>
    protected virtual void RequireBackend()
    {
    }

    /// <summary>How many generated cases each property runs (fewer where each costs network round trips).</summary>
    protected virtual int PropertyCases => 100;

    private static readonly string[] SharedPrefixKeys = ["1/2/3/0", "1/2/3/1", "1/2/3/10", "1/2/30/0", "1/20/3/0", "10/2/3/0", "2/0/0/0"];

    [SkippableFact]
    public async Task Put_then_read_returns_the_bytes_at_any_offset_and_short_reads_only_at_the_end()
    {
        await using var store = CreateStore();
        var data = TestData.Bytes(10_000, 1);
        await store.PutAsync("1/2/3/0", data);

        var whole = new byte[10_000];
        Assert.Equal(10_000, await store.ReadAsync("1/2/3/0", 0, whole));
        Assert.Equal(data, whole);

        var buffer = new byte[100];
        Assert.Equal(100, await store.ReadAsync("1/2/3/0", 4321, buffer));
        Assert.Equal(data.AsSpan(4321, 100).ToArray(), buffer);
        Assert.Equal(50, await store.ReadAsync("1/2/3/0", 9950, buffer));
        Assert.Equal(data.AsSpan(9950, 50).ToArray(), buffer.AsSpan(0, 50).ToArray());
        Assert.Equal(0, await store.ReadAsync("1/2/3/0", 10_000, buffer));
        Assert.Equal(0, await store.ReadAsync("1/2/3/0", 20_000, buffer));
        Assert.Equal(0, await store.ReadAsync("1/2/3/0", 0, Memory<byte>.Empty));

        var larger = new byte[12_000];
        Assert.Equal(10_000, await store.ReadAsync("1/2/3/0", 0, larger));
        Assert.Equal(data, larger.AsSpan(0, 10_000).ToArray());
    }

    [SkippableFact]
    public async Task An_empty_block_is_a_block()
    {
        await using var store = CreateStore();
        await store.PutAsync("1/2/3/0", ReadOnlyMemory<byte>.Empty);
        Assert.True(await store.ExistsAsync("1/2/3/0"));
        // Not read back here: s3rver answers a ranged GET of an empty object with a truncated
        // response (AWS answers 416, which the S3 store reads as 0 bytes); NoKV writes no empty blocks.
        var listed = await ListAsync(store, "");
        Assert.Equal(0, Assert.Single(listed).Length);
    }

    [SkippableFact]
    public async Task Reading_a_missing_block_throws_BlockMissingException_naming_the_key()
    {
        await using var store = CreateStore();
        await store.PutAsync("1/2/3/0", TestData.Bytes(10, 1));

        var missing = await Assert.ThrowsAsync<BlockMissingException>(async () => await store.ReadAsync("1/2/3/1", 0, new byte[10]));
        Assert.Equal("1/2/3/1", missing.BlockKey);
        // Whatever the buffer, and also for a key that is only the start of stored keys.
        await Assert.ThrowsAsync<BlockMissingException>(async () => await store.ReadAsync("1/2/3/1", 0, Memory<byte>.Empty));
        await Assert.ThrowsAsync<BlockMissingException>(async () => await store.ReadAsync("1/2/3", 0, new byte[10]));
        await Assert.ThrowsAsync<BlockMissingException>(async () => await store.ReadAsync("9/9/9/9", 0, new byte[10]));
    }

    [SkippableFact]
    public async Task A_negative_offset_is_refused()
    {
        await using var store = CreateStore();
        await store.PutAsync("1/2/3/0", TestData.Bytes(10, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ReadAsync("1/2/3/0", -1, new byte[10]));
    }

    [SkippableFact]
    public async Task A_put_replaces_the_whole_block()
    {
        await using var store = CreateStore();
        await store.PutAsync("1/2/3/0", TestData.Bytes(5_000, 1));
        var shorter = TestData.Bytes(300, 2);
        await store.PutAsync("1/2/3/0", shorter);

        var buffer = new byte[5_000];
        Assert.Equal(300, await store.ReadAsync("1/2/3/0", 0, buffer));
        Assert.Equal(shorter, buffer.AsSpan(0, 300).ToArray());
        Assert.Equal(300, Assert.Single(await ListAsync(store, "")).Length);
    }

    [SkippableFact]
    public async Task Delete_says_whether_there_was_a_block_and_is_safe_twice()
    {
        await using var store = CreateStore();
        foreach (var key in SharedPrefixKeys) await store.PutAsync(key, TestData.Bytes(10, 1));

        Assert.True(await store.DeleteAsync("1/2/3/1"));
        Assert.False(await store.ExistsAsync("1/2/3/1"));
        Assert.False(await store.DeleteAsync("1/2/3/1"));
        Assert.False(await store.DeleteAsync("7/7/7/7"));
        Assert.False(await store.DeleteAsync("1/2/3")); // only the start of stored keys
        // Keys that share a prefix with the deleted one are untouched.
        Assert.Equal(SharedPrefixKeys.Where(k => k != "1/2/3/1").Order(StringComparer.Ordinal), await KeysAsync(store, ""));

        foreach (var key in SharedPrefixKeys.Where(k => k != "1/2/3/1")) Assert.True(await store.DeleteAsync(key));
        Assert.Empty(await KeysAsync(store, ""));
        await store.PutAsync("1/2/3/1", TestData.Bytes(10, 2)); // the same place is usable again
        Assert.True(await store.ExistsAsync("1/2/3/1"));
    }

    [SkippableFact]
    public async Task Exists_is_true_only_for_a_stored_key()
    {
        await using var store = CreateStore();
        await store.PutAsync("1/2/3/10", TestData.Bytes(10, 1));
        Assert.True(await store.ExistsAsync("1/2/3/10"));
        Assert.False(await store.ExistsAsync("1/2/3/1"));
        Assert.False(await store.ExistsAsync("1/2/3"));
        Assert.False(await store.ExistsAsync("1/2/3/100"));
    }

    [SkippableTheory]
    [InlineData("", "1/2/3/0 1/2/3/1 1/2/3/10 1/2/30/0 1/20/3/0 10/2/3/0 2/0/0/0")]
    [InlineData("1", "1/2/3/0 1/2/3/1 1/2/3/10 1/2/30/0 1/20/3/0 10/2/3/0")]
    [InlineData("1/", "1/2/3/0 1/2/3/1 1/2/3/10 1/2/30/0 1/20/3/0")]
    [InlineData("1/2", "1/2/3/0 1/2/3/1 1/2/3/10 1/2/30/0 1/20/3/0")]
    [InlineData("1/2/", "1/2/3/0 1/2/3/1 1/2/3/10 1/2/30/0")]
    [InlineData("1/2/3", "1/2/3/0 1/2/3/1 1/2/3/10 1/2/30/0")]
    [InlineData("1/2/3/", "1/2/3/0 1/2/3/1 1/2/3/10")]
    [InlineData("1/2/3/1", "1/2/3/1 1/2/3/10")]
    [InlineData("1/2/3/0", "1/2/3/0")]
    [InlineData("1/2/3/0/", "")]
    [InlineData("1/2/3/2", "")]
    [InlineData("3", "")]
    [InlineData("1/2/3/.", "")]
    public async Task List_matches_keys_by_plain_string_prefix_not_by_directory(string prefix, string expected)
    {
        await using var store = CreateStore();
        foreach (var key in SharedPrefixKeys) await store.PutAsync(key, TestData.Bytes(key.Length, 1));

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), await KeysAsync(store, prefix));
    }

    [SkippableFact]
    public async Task Listed_blocks_carry_their_length_and_a_recent_utc_write_time()
    {
        await using var store = CreateStore();
        var before = DateTime.UtcNow.AddMinutes(-5);
        await store.PutAsync("1/2/3/0", TestData.Bytes(1234, 1));
        await store.PutAsync("1/2/3/1", TestData.Bytes(7, 1));

        var listed = (await ListAsync(store, "1/2/3/")).OrderBy(b => b.Key, StringComparer.Ordinal).ToList();
        Assert.Equal([1234L, 7L], listed.Select(b => b.Length));
        Assert.All(listed, b =>
        {
            Assert.Equal(DateTimeKind.Utc, b.LastModifiedUtc.Kind);
            Assert.InRange(b.LastModifiedUtc, before, DateTime.UtcNow.AddMinutes(5));
        });
    }

    [SkippableFact]
    public async Task An_empty_store_lists_nothing()
    {
        await using var store = CreateStore();
        Assert.Empty(await KeysAsync(store, ""));
        Assert.Empty(await KeysAsync(store, "1/2/"));
    }

    public static TheoryData<string> InvalidKeys() =>
    [
        "", "/", "/1/2", "1/2/", "1//2", ".", "..", "1/../2", "1/./2", "../1", ".tmp-1", "1/.tmp-abc", "1 2", "1\\2", "1:2",
        "1/ä", "1/2\n", "1/*", "1/?", new string('a', BlockKeyRules.MaxSegmentLength + 1),
        string.Join('/', Enumerable.Repeat("abcdefgh", 60)),
    ];

    [SkippableTheory]
    [MemberData(nameof(InvalidKeys))]
    public async Task Invalid_keys_are_refused_with_ArgumentException_and_change_nothing(string key)
    {
        await using var store = CreateStore();
        await store.PutAsync("1/2/3/0", TestData.Bytes(10, 1));

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.PutAsync(key, TestData.Bytes(10, 2)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ReadAsync(key, 0, new byte[10]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.DeleteAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ExistsAsync(key));

        Assert.Equal(["1/2/3/0"], await KeysAsync(store, ""));
    }

    [SkippableFact]
    public async Task A_null_key_or_prefix_is_refused_with_ArgumentNullException()
    {
        await using var store = CreateStore();
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.PutAsync(null!, TestData.Bytes(10, 2)));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.ReadAsync(null!, 0, new byte[10]));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.DeleteAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.ExistsAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await KeysAsync(store, null!));
    }

    [SkippableTheory]
    [InlineData("/")]
    [InlineData("/1")]
    [InlineData("1//")]
    [InlineData("1//2")]
    [InlineData("../")]
    [InlineData("1/./")]
    [InlineData("1 2")]
    [InlineData("1/ä")]
    [InlineData(".tmp-")]
    [InlineData("1/.tmp-x")]
    public async Task Prefixes_that_start_no_valid_key_are_refused_with_ArgumentException(string prefix)
    {
        await using var store = CreateStore();
        await Assert.ThrowsAsync<ArgumentException>(async () => await KeysAsync(store, prefix));
    }

    [SkippableFact]
    public async Task A_cancelled_token_stops_every_operation_before_it_changes_anything()
    {
        await using var store = CreateStore();
        await store.PutAsync("1/2/3/0", TestData.Bytes(10, 1));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var token = cancelled.Token;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.PutAsync("1/2/3/1", TestData.Bytes(10, 2), token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.ReadAsync("1/2/3/0", 0, new byte[10], token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.DeleteAsync("1/2/3/0", token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.ExistsAsync("1/2/3/0", token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in store.ListAsync("", token)) { }
        });

        Assert.Equal(["1/2/3/0"], await KeysAsync(store, ""));
    }

    [SkippableFact]
    public async Task Cancelling_midway_through_a_listing_stops_it()
    {
        await using var store = CreateStore();
        for (var i = 0; i < 5; i++) await store.PutAsync($"1/2/3/{i}", TestData.Bytes(3, i));
        using var cts = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in store.ListAsync("", cts.Token))
            {
                if (++seen == 2) await cts.CancelAsync();
            }
        });
        Assert.Equal(2, seen);
    }

    [SkippableFact]
    public async Task Dispose_is_safe_twice_and_a_disposed_store_refuses_every_call()
    {
        var store = CreateStore();
        await store.PutAsync("1/2/3/0", TestData.Bytes(10, 1));
        await store.DisposeAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.PutAsync("1/2/3/1", TestData.Bytes(10, 2)));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.ReadAsync("1/2/3/0", 0, new byte[10]));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.DeleteAsync("1/2/3/0"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.ExistsAsync("1/2/3/0"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await KeysAsync(store, ""));
        if (store is IBlockStoreMaintenance maintenance)
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await maintenance.RunMaintenanceAsync(TimeSpan.Zero));
    }

    [SkippableFact]
    public async Task Maintenance_never_touches_a_block_whatever_the_grace_period()
    {
        await using var store = CreateStore();
        if (store is not IBlockStoreMaintenance maintenance) return; // the capability is optional
        foreach (var key in SharedPrefixKeys) await store.PutAsync(key, TestData.Bytes(10, 1));

        var result = await maintenance.RunMaintenanceAsync(TimeSpan.Zero);

        Assert.Equal(0, result.LeftoversDeleted);
        Assert.Equal(SharedPrefixKeys.Order(StringComparer.Ordinal), await KeysAsync(store, ""));
    }

    protected static async Task<List<BlockInfo>> ListAsync(IBlockStore store, string prefix)
    {
        var blocks = new List<BlockInfo>();
        await foreach (var block in store.ListAsync(prefix)) blocks.Add(block);
        return blocks;
    }

    protected static async Task<List<string>> KeysAsync(IBlockStore store, string prefix) =>
        [.. (await ListAsync(store, prefix)).Select(b => b.Key).Order(StringComparer.Ordinal)];
}
