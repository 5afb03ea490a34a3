using NoKV.Client;

namespace NoKV.Tests;

/// <summary>One owner serves many clients at once, each over its own connection.</summary>
public sealed class ConcurrentClientTests
{
    [Fact]
    public async Task A_hundred_concurrent_clients_each_write_stat_and_read_their_own_file()
    {
        await using var s = await ServedStore.StartAsync();
        s.Store.CreateWorkspace("/w");
        var clients = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => s.ConnectAsync()));
        try
        {
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                var ws = await client.OpenWorkspaceAsync("/w");
                var data = new byte[10_000 + i];
                new Random(i).NextBytes(data);
                await ws.WriteAllBytesAsync($"/f{i}", data);
                Assert.Equal(data.Length, (await ws.StatAsync($"/f{i}")).Length);
                Assert.Equal(data, await ws.ReadAllBytesAsync($"/f{i}"));
                await foreach (var _ in client.DiffAsync("/w", "/w")) Assert.Fail("a tree differs from itself");
            }));
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
        Assert.Equal(100, s.Store.OpenWorkspace("/w").List("/").Count);
    }
}
