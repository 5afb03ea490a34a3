namespace NoKV.Tests;

public sealed class StoreLockTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_store_cannot_be_opened_twice_in_one_process()
    {
        var e = Assert.Throws<StoreLockedException>(() => WorkspaceStore.Open(_temp.Directory));
        Assert.Contains($"pid {Environment.ProcessId}", e.Message, StringComparison.Ordinal);
        _temp.Store.CreateWorkspace("/still-works");
        _temp.Reopen(); // closing releases the lock
        Assert.True(_temp.Store.WorkspaceExists("/still-works"));
    }

    [Fact]
    public void Another_process_gets_a_clear_error_while_the_store_is_open_and_opens_it_after()
    {
        Assert.StartsWith("StoreLockedException: ", Probe(), StringComparison.Ordinal);
        _temp.Store.Dispose();
        Assert.Equal("opened", Probe());
    }

    private string Probe()
    {
        using var helper = CrashTests.StartHelper("open", _temp.Directory);
        var output = helper.StandardOutput.ReadToEnd().Trim();
        Assert.True(helper.WaitForExit(TimeSpan.FromMinutes(1)));
        return output;
    }
}
