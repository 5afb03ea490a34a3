namespace NoKV;

/// <summary>What one <see cref="IBlockStoreMaintenance.RunMaintenanceAsync"/> run did.</summary>
/// <param name="LeftoversDeleted">How many leftovers of interrupted writes (temporary files) were deleted.</param>
public readonly record struct BlockMaintenanceResult(long LeftoversDeleted);
