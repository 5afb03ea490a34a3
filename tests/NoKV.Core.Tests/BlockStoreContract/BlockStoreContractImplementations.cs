using NoKV.Tests.Faults;

namespace NoKV.Tests.BlockStoreContract;

/// <summary>The contract on local disk, in a fresh directory per store (the default layout: one file per block).</summary>
public sealed class LocalBlockStoreContractTests : BlockStoreContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-contract", Guid.NewGuid().ToString("N"));

    protected override IBlockStore CreateStore() => new LocalBlockStore(Path.Combine(_root, Guid.NewGuid().ToString("N")), durable: false);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}

/// <summary>The contract on chunk-sized extent slots (opt-in): every suite block fits a slot.</summary>
public sealed class ExtentLocalStoreContractTests : BlockStoreContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-contract", Guid.NewGuid().ToString("N"));

    protected override IBlockStore CreateStore() =>
        new LocalBlockStore(Path.Combine(_root, Guid.NewGuid().ToString("N")), new LocalBlockStoreOptions { Durable = false, ExtentSlotSize = LocalBlockStoreOptions.ChunkSizedExtentSlot });

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}

/// <summary>The contract on an S3-compatible server, under a fresh key prefix per store; skips with the reason when there is none (never in CI).</summary>
public sealed class S3BlockStoreContractTests : BlockStoreContractTests
{
    protected override int PropertyCases => 15;

    protected override void RequireBackend() => Skip.If(S3Server.SkipReason is not null, S3Server.SkipReason);

    protected override IBlockStore CreateStore()
    {
        RequireBackend();
        return S3Server.NewStore();
    }
}

/// <summary>The contract through the fault-injecting decorator with no faults: a decorator must keep every promise of the store it wraps.</summary>
public sealed class FaultyBlockStoreContractTests : BlockStoreContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-contract", Guid.NewGuid().ToString("N"));

    protected override IBlockStore CreateStore() =>
        new FaultyBlockStore(new LocalBlockStore(Path.Combine(_root, Guid.NewGuid().ToString("N")), durable: false), key => new IOException("no fault is scheduled: " + key));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}

/// <summary>The contract through the scheduled fault injector with an empty schedule, armed.</summary>
public sealed class ScheduledFaultBlockStoreContractTests : BlockStoreContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nokv-contract", Guid.NewGuid().ToString("N"));

    protected override IBlockStore CreateStore() =>
        new ScheduledFaultBlockStore(new LocalBlockStore(Path.Combine(_root, Guid.NewGuid().ToString("N")), durable: false), new FaultInjector([]) { Armed = true });

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
