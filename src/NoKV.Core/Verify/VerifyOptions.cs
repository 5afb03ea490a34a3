namespace NoKV;

/// <summary>How thoroughly <see cref="WorkspaceStore.Verify"/> checks.</summary>
public sealed class VerifyOptions
{
    /// <summary>Read every block and check its checksum (the default); when false, only check that blocks exist.</summary>
    public bool CheckBlockContents { get; set; } = true;

    /// <summary>List the block store to find blocks no metadata owns (the default).</summary>
    public bool FindOrphanBlocks { get; set; } = true;
}
