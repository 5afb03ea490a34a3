using System.Net;
using NoKV.Storage.S3;

namespace NoKV.Tests;

/// <summary>S3-specific behaviour against a real S3-compatible server (see <see cref="S3Server"/>).</summary>
public sealed class S3BlockStoreTests
{
    [S3Fact]
    public async Task Ranged_reads_return_exactly_the_requested_bytes()
    {
        using var store = S3Server.NewStore();
        var data = TestData.Bytes(10_000, 1);
        await store.PutAsync("1/2/3/0", data);

        var buffer = new byte[100];
        Assert.Equal(100, await store.ReadAsync("1/2/3/0", 4321, buffer));
        Assert.Equal(data.AsSpan(4321, 100).ToArray(), buffer);
        Assert.Equal(50, await store.ReadAsync("1/2/3/0", 9950, buffer));
        Assert.Equal(0, await store.ReadAsync("1/2/3/0", 10_000, buffer));
        await Assert.ThrowsAsync<BlockMissingException>(async () => await store.ReadAsync("1/2/3/1", 0, buffer));

        Assert.True(await store.ExistsAsync("1/2/3/0"));
        Assert.True(await store.DeleteAsync("1/2/3/0"));
        Assert.False(await store.DeleteAsync("1/2/3/0"));
        Assert.False(await store.ExistsAsync("1/2/3/0"));
    }

    [S3Fact]
    public async Task Listing_pages_through_every_key_under_the_prefix()
    {
        using var store = S3Server.NewStore();
        for (var i = 0; i < 1100; i++) await store.PutAsync($"1/2/{i}/0", new byte[] { 1 }); // more than one page of 1000
        var keys = new List<string>();
        await foreach (var block in store.ListAsync("")) keys.Add(block.Key);
        Assert.Equal(1100, keys.Count);
        Assert.All(keys, k => Assert.StartsWith("1/2/", k, StringComparison.Ordinal));
    }

    [S3Fact]
    public async Task A_missing_bucket_is_a_clear_error_at_connect()
    {
        var options = S3Server.Options("x/");
        options.BucketName = "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8];
        var e = await Assert.ThrowsAsync<BlockStoreException>(() => S3BlockStore.ConnectAsync(options));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
    }

    [S3Fact]
    public async Task Rejected_credentials_are_a_clear_error_at_check()
    {
        // s3rver does not check signatures, so the server's refusal is injected at the HTTP level:
        // the real client parses a real S3 error document.
        const string refusal = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>";
        var options = S3Server.Options("x/");
        using var client = S3Server.ClientWith(inner => new FaultInjectingHandler(new FaultCounter(int.MaxValue), HttpMethod.Get, HttpStatusCode.Forbidden, refusal) { InnerHandler = inner });
        var store = new S3BlockStore(client, options);
        var e = await Assert.ThrowsAsync<BlockStoreException>(() => store.CheckAccessAsync());
        Assert.Contains("credentials", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
    }

    [S3Fact]
    public async Task An_unreachable_server_is_a_transient_error_at_connect_after_retries()
    {
        var options = S3Server.Options("x/");
        options.ServiceUrl = "http://127.0.0.1:1"; // nothing listens on port 1
        options.MaxRetries = 2;
        var e = await Assert.ThrowsAsync<BlockStoreException>(() => S3BlockStore.ConnectAsync(options));
        Assert.True(e.IsTransient);
        Assert.Contains("3 attempts", e.Message, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task Transient_server_errors_are_retried_and_the_write_lands()
    {
        var faults = new FaultCounter(failFirst: 3);
        using var client = S3Server.ClientWith(inner => new FaultInjectingHandler(faults, HttpMethod.Put, HttpStatusCode.ServiceUnavailable) { InnerHandler = inner });
        var blocks = new S3BlockStore(client, S3Server.Options("t-" + Guid.NewGuid().ToString("N") + "/"));
        using var temp = new TempStore(blocks: _ => blocks);
        var ws = temp.Store.CreateWorkspace("/base");

        var data = TestData.Bytes(2 * TempStore.SmallChunk + 1, 3);
        await ws.WriteAllBytesAsync("/f", data);

        Assert.Equal(3, faults.Injected);
        Assert.Equal(data, await ws.ReadAllBytesAsync("/f"));
        Assert.True(temp.Store.Verify().IsHealthy);
    }

    [S3Fact]
    public async Task A_put_that_keeps_failing_fails_dispose_and_the_old_version_stays()
    {
        var inner = S3Server.NewStore();
        var faulty = new FaultyBlockStore(inner, key => new BlockStoreException($"injected PUT failure for '{key}'", transient: true));
        using var temp = new TempStore(blocks: _ => faulty);
        var ws = temp.Store.CreateWorkspace("/base");
        var old = TestData.Bytes(3 * TempStore.SmallChunk, 1);
        await ws.WriteAllBytesAsync("/f", old);
        var before = temp.BlockKeys();

        faulty.PutsBeforeFailing = 1; // the second chunk of the next write fails
        var stream = ws.OpenWrite("/f");
        // The failed upload stops the session at the next chunk, and Dispose reports it again,
        // wrapped; or, its put still running in the background when the write returned, Dispose
        // reports it as it is.
        var atWrite = await Record.ExceptionAsync(async () => await stream.WriteAsync(TestData.Bytes(3 * TempStore.SmallChunk, 2)));
        var onDispose = await Record.ExceptionAsync(async () => await stream.DisposeAsync());
        var e = Assert.IsType<BlockStoreException>(atWrite ?? onDispose);
        Assert.True(e.IsTransient);
        if (atWrite is not null)
        {
            var wrapped = Assert.IsType<WriteFailedException>(onDispose);
            Assert.Same(e, wrapped.InnerException);
            Assert.True(wrapped.IsTransient);
        }

        faulty.PutsBeforeFailing = int.MaxValue;
        Assert.Equal(old, await ws.ReadAllBytesAsync("/f"));
        Assert.Equal(before, temp.BlockKeys()); // the uploaded first chunk was deleted
        Assert.True(temp.Store.Verify().IsHealthy);
        inner.Dispose();
    }

    /// <summary>How many faults to inject, shared by every HTTP client the SDK creates.</summary>
    private sealed class FaultCounter(int failFirst)
    {
        private int _injected;

        public int Injected => Volatile.Read(ref _injected);

        public bool TryInject()
        {
            while (true)
            {
                var seen = Volatile.Read(ref _injected);
                if (seen >= failFirst) return false;
                if (Interlocked.CompareExchange(ref _injected, seen + 1, seen) == seen) return true;
            }
        }
    }

    /// <summary>Fails requests of one method with a status code while the counter allows, at the HTTP level, below the real client.</summary>
    private sealed class FaultInjectingHandler(FaultCounter faults, HttpMethod method, HttpStatusCode status, string body = "") : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.Method == method && faults.TryInject()
                ? Task.FromResult(new HttpResponseMessage(status) { RequestMessage = request, Content = new StringContent(body, System.Text.Encoding.UTF8, "application/xml") })
                : base.SendAsync(request, cancellationToken);
    }
}
