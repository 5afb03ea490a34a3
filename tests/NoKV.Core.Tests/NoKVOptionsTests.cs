using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NoKV.Tests;

/// <summary>
/// AddNoKV with settings from configuration: binding (an in-memory section gives a working
/// store), validation when the host starts (before the store is first used), and a registration
/// that never changes an options object it captured.
/// </summary>
public sealed class NoKVOptionsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nokv-options-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(NoKVOptions.SectionName);

    private static HostApplicationBuilder HostBuilder() => Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());

    [Fact]
    public async Task A_configuration_section_binds_to_a_working_store()
    {
        var services = new ServiceCollection().AddNoKV(Section(new()
        {
            ["NoKV:Directory"] = _dir,
            ["NoKV:ChunkSize"] = "8192",
            ["NoKV:MaxParallelUploads"] = "2",
            ["NoKV:OrphanGracePeriod"] = "00:00:05",
            ["NoKV:InlineThreshold"] = "0",
            ["NoKV:MaxFileSize"] = "1000000",
            ["NoKV:Durability"] = "Deferred",
        }));
        await using var provider = services.BuildServiceProvider();
        var settings = provider.GetRequiredService<IOptions<NoKVOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(5), settings.OrphanGracePeriod);
        Assert.Equal(new WorkspaceStoreOptions().MaxMetadataSize, settings.MaxMetadataSize); // unbound keys keep the defaults

        var store = provider.GetRequiredService<WorkspaceStore>();
        Assert.Equal(Path.GetFullPath(_dir), store.Directory);
        Assert.Equal(8192, store.ChunkSize);
        Assert.Equal(2, store.MaxParallelUploads);
        Assert.Equal(0, store.InlineThreshold);
        Assert.Equal(1_000_000, store.MaxFileSize);
        Assert.Equal(Durability.Deferred, store.Durability);
        var ws = store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/f", TestData.Bytes(20_000, 1));
        Assert.Equal(TestData.Bytes(20_000, 1), await ws.ReadAllBytesAsync("/f"));
        Assert.Equal(3, Directory.EnumerateFiles(Path.Combine(_dir, "blocks"), "*", SearchOption.AllDirectories).Count()); // 8 KiB chunks
    }

    [Fact]
    public void NoKVOptions_defaults_are_WorkspaceStoreOptions_defaults()
    {
        var settings = new NoKVOptions();
        var defaults = new WorkspaceStoreOptions();
        Assert.Equal(defaults.ChunkSize, settings.ChunkSize);
        Assert.Equal(defaults.MaxMetadataSize, settings.MaxMetadataSize);
        Assert.Equal(defaults.OrphanGracePeriod, settings.OrphanGracePeriod);
        Assert.Equal(defaults.MaxParallelUploads, settings.MaxParallelUploads);
        Assert.Equal(defaults.SlowOperationThreshold, settings.SlowOperationThreshold);
    }

    [Fact]
    public async Task Bad_values_fail_the_host_start_naming_each_key_before_the_store_is_used()
    {
        var builder = HostBuilder();
        builder.Services.AddNoKV(Section(new()
        {
            ["NoKV:Directory"] = _dir,
            ["NoKV:ChunkSize"] = "10",
            ["NoKV:MaxParallelUploads"] = "0",
            ["NoKV:OrphanGracePeriod"] = "-00:01:00",
        }));
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(e.Failures, f => f.StartsWith("NoKV:ChunkSize must be between 4096 and", StringComparison.Ordinal) && f.Contains("'10'", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("NoKV:MaxParallelUploads must be between 1 and 256", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("NoKV:OrphanGracePeriod may not be negative", StringComparison.Ordinal));
        Assert.Equal(3, e.Failures.Count());
        Assert.False(Directory.Exists(_dir)); // the store was never opened
    }

    [Fact]
    public async Task A_missing_directory_in_configuration_fails_the_start_naming_the_key()
    {
        var builder = HostBuilder();
        builder.Services.AddNoKV(Section(new() { ["NoKV:ChunkSize"] = "8192" }));
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.StartsWith("NoKV:Directory is required", Assert.Single(e.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_builder_adjustment_out_of_range_fails_the_start_too()
    {
        var builder = HostBuilder();
        builder.Services.AddNoKV(o => o.UseLocalBlocks(_dir).Configure(c => c.ChunkSize = 10));
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.StartsWith("NoKV:ChunkSize must be between", Assert.Single(e.Failures), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir));
    }

    [Fact]
    public async Task Good_values_start_the_host_and_the_builder_adds_what_configuration_cannot_say()
    {
        var builder = HostBuilder();
        builder.Services.AddNoKV(Section(new() { ["NoKV:Directory"] = _dir }),
            o => o.UseBlockStore(_ => new FaultyBlockStore(new LocalBlockStore(Path.Combine(_dir, "elsewhere")), key => new IOException(key))));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var store = host.Services.GetRequiredService<WorkspaceStore>();
            Assert.IsType<FaultyBlockStore>(store.ConfiguredBlocks);
            await store.CreateWorkspace("/base").WriteAllBytesAsync("/f", TestData.Bytes(64 * 1024, 2)); // beyond the inline threshold: a block
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(_dir, "elsewhere"), "*", SearchOption.AllDirectories));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Two_providers_from_one_registration_each_open_with_their_own_logger_factory()
    {
        // The old registration set LoggerFactory on the one options object it captured, with ??=:
        // the second provider's store went on logging into the first provider's (disposed) factory.
        var services = new ServiceCollection();
        var factories = new List<RecordingLoggerFactory>();
        services.AddSingleton<ILoggerFactory>(_ =>
        {
            var factory = new RecordingLoggerFactory();
            factories.Add(factory);
            return factory;
        });
        var seen = new List<WorkspaceStoreOptions>();
        services.AddNoKV(o => o.UseLocalBlocks(_dir).Configure(seen.Add));

        await using (var first = services.BuildServiceProvider())
            first.GetRequiredService<WorkspaceStore>().CreateWorkspace("/a");
        await using (var second = services.BuildServiceProvider())
            second.GetRequiredService<WorkspaceStore>().CreateWorkspace("/b");

        Assert.Equal(2, factories.Count);
        Assert.All(factories, f => Assert.Contains(f.Categories, c => c == typeof(WorkspaceStore).FullName));
        Assert.Equal(seen.Count, seen.Distinct().Count()); // every open composed a fresh options object
        Assert.All(seen, o => Assert.Null(o.BlockStore));
    }

    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        public List<string> Categories { get; } = [];
        public ILogger CreateLogger(string categoryName)
        {
            Categories.Add(categoryName);
            return Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        }
        public void AddProvider(ILoggerProvider provider) { }
        public void Dispose() { }
    }
}
