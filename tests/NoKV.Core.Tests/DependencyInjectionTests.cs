using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NoKV.Storage.S3;

namespace NoKV.Tests;

public sealed class DependencyInjectionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nokv-di-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task AddNoKV_registers_a_singleton_store_on_local_blocks()
    {
        var logs = new ListLoggerProvider();
        var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        services.AddNoKV(o => o.UseLocalBlocks(_dir).Configure(c =>
        {
            c.ChunkSize = 8192;
            c.SlowOperationThreshold = TimeSpan.Zero; // every operation counts as slow, to see it logged
        }));

        await using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<WorkspaceStore>();
            Assert.Same(store, provider.GetRequiredService<WorkspaceStore>());
            Assert.Equal(8192, store.ChunkSize);
            Assert.IsType<LocalBlockStore>(store.ConfiguredBlocks); // Blocks is it wrapped, to count its I/O
            await store.CreateWorkspace("/base").WriteAllBytesAsync("/f", "secret-payload"u8.ToArray());
            store.CollectGarbage();
        }
        Assert.Contains(logs.Messages, m => m.Contains("GC (Incremental)", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.StartsWith("Slow metadata operation CreateWorkspace", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains("secret-payload", StringComparison.Ordinal));

        using var reopened = WorkspaceStore.Open(_dir); // the provider disposed the store, releasing it
        Assert.True(reopened.WorkspaceExists("/base"));
    }

    [Fact]
    public void A_registration_without_a_directory_fails_at_registration()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddNoKV(o => o.Configure(c => c.ChunkSize = 8192)));
        Assert.Contains("UseLocalBlocks", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddNoKV(o => o.UseDirectory(_dir).UseS3Blocks(_ => { })));
    }

    [S3Fact]
    public async Task AddNoKV_with_S3_blocks_resolves_and_works()
    {
        var services = new ServiceCollection();
        services.AddNoKV(o => o.UseDirectory(_dir).UseS3Blocks(s3 =>
        {
            var template = S3Server.Options("di-" + Guid.NewGuid().ToString("N") + "/");
            s3.BucketName = template.BucketName;
            s3.Prefix = template.Prefix;
            s3.ServiceUrl = template.ServiceUrl;
            s3.ForcePathStyle = true;
        }));
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<WorkspaceStore>();
        var blocks = Assert.IsType<S3BlockStore>(store.ConfiguredBlocks);
        var ws = store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(20_000, 1));
        Assert.Equal(TestData.Bytes(20_000, 1), await ws.ReadAllBytesAsync("/f"));
        Assert.StartsWith("di-", blocks.Prefix, StringComparison.Ordinal);
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        public List<string> Messages { get; } = [];
        public ILogger CreateLogger(string categoryName) => new ListLogger(Messages);
        public void Dispose() { }

        private sealed class ListLogger(List<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (messages) messages.Add(formatter(state, exception));
            }
        }
    }
}
