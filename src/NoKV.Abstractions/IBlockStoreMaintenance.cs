namespace NoKV;

/// <summary>
/// An optional capability of an <see cref="IBlockStore"/>: housekeeping of the store's own
/// leftovers, such as the temporary file of a block write that a crash interrupted. NoKV's full
/// garbage collection calls it, discovering it with <c>blocks is IBlockStoreMaintenance</c>, so a
/// decorator around a store should implement it and forward the call.
/// </summary>
public interface IBlockStoreMaintenance
{
    /// <summary>
    /// Removes leftovers of interrupted writes that are older than <paramref name="gracePeriod"/>.
    /// Never touches a block, nor a write still running in this process, whatever its age.
    /// </summary>
    /// <param name="gracePeriod">How old a leftover must be before it counts as abandoned.</param>
    /// <param name="cancellationToken">Stops the run; what was removed so far stays removed.</param>
    ValueTask<BlockMaintenanceResult> RunMaintenanceAsync(TimeSpan gracePeriod, CancellationToken cancellationToken = default);
}
