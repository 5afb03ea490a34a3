namespace NoKV.Tests.BlockStoreContract;

/// <summary>The contract on the local store's one-file-per-block layout (extent slots off), which old stores use and which stays selectable.</summary>
public sealed class OneFilePerBlockLocalStoreContractTests : BlockStoreContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-contract", Guid.NewGuid().ToString("N"));

    protected override IBlockStore CreateStore() =>
        new LocalBlockStore(Path.Combine(_root, Guid.NewGuid().ToString("N")), new LocalBlockStoreOptions { Durable = false, ExtentSlotSize = 0 });

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}

/// <summary>
/// The contract on extent slots of one page, durable: the suite's larger blocks (10,000 bytes) do
/// not fit a slot and go to files of their own, so both layouts answer side by side.
/// </summary>
public sealed class SmallSlotLocalStoreContractTests : BlockStoreContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-contract", Guid.NewGuid().ToString("N"));

    protected override int PropertyCases => 50;

    protected override IBlockStore CreateStore() =>
        new LocalBlockStore(Path.Combine(_root, Guid.NewGuid().ToString("N")), new LocalBlockStoreOptions { Durable = true, ExtentSlotSize = 4096 });

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
