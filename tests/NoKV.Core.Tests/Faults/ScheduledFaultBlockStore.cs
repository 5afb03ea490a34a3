using System.Runtime.CompilerServices;

namespace NoKV.Tests.Faults;

/// <summary>A real block store behind a fault schedule: every call may fail before or after doing its work.</summary>
public sealed class ScheduledFaultBlockStore(IBlockStore inner, FaultInjector faults) : DecoratedBlockStore(inner), IDisposable
{
    public override async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        await faults.Run(FaultTarget.Put, "PUT " + key, async () => { await Inner.PutAsync(key, data, cancellationToken).ConfigureAwait(false); return true; }).ConfigureAwait(false);

    public override ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        faults.Run(FaultTarget.Read, "GET " + key, () => Inner.ReadAsync(key, offset, destination, cancellationToken));

    public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        faults.Run(FaultTarget.Delete, "DELETE " + key, () => Inner.DeleteAsync(key, cancellationToken));

    public override ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        faults.Run(FaultTarget.Exists, "HEAD " + key, () => Inner.ExistsAsync(key, cancellationToken));

    public override async IAsyncEnumerable<BlockInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var fault = faults.Next(FaultTarget.List);
        if (fault is { AfterWork: false }) throw FaultInjector.Fail(fault, "LIST " + prefix);
        var listed = 0;
        await foreach (var block in Inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            // An "after" fault on a listing cuts it short midway, as a dropped connection would.
            if (fault is not null && listed++ == 1) throw FaultInjector.Fail(fault, "LIST " + prefix + " (midway)");
            yield return block;
        }
        if (fault is not null) throw FaultInjector.Fail(fault, "LIST " + prefix + " (at the end)");
    }

    public void Dispose() => (Inner as IDisposable)?.Dispose();
}
