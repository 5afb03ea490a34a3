using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NoKV.Client;

namespace NoKV.Tests;

/// <summary>AddNoKV(...).AddNoKVServer() serves the container's store while the host runs.</summary>
public sealed class ServerHostingTests
{
    [Fact]
    public async Task A_generic_host_serves_the_registered_store_until_it_stops()
    {
        var directory = ServedStore.NewDirectory();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddNoKV(directory).AddNoKVServer();
        using var host = builder.Build();
        await host.StartAsync();
        var socket = Path.Combine(directory, "nokv.sock");
        await using (var client = await NoKVClient.ConnectAsync(directory))
        {
            await client.CreateWorkspaceAsync("/hosted");
            Assert.True(host.Services.GetRequiredService<WorkspaceStore>().WorkspaceExists("/hosted"));
        }
        await host.StopAsync();
        Assert.False(File.Exists(socket));
        await Assert.ThrowsAsync<ServerUnavailableException>(() => NoKVClient.ConnectAsync(directory));
    }

    [Fact]
    public void Bad_server_options_fail_at_registration()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentOutOfRangeException>(() => services.AddNoKVServer(o => o.StreamChunkSize = 1));
    }
}
