namespace NoKV;

/// <summary>What is wrong, in a <see cref="StoreProblem"/>.</summary>
public enum StoreProblemKind
{
    /// <summary>A published chunk's block is not in the block store.</summary>
    BlockMissing,

    /// <summary>A block's length or checksum does not match its chunk record.</summary>
    BlockCorrupted,

    /// <summary>A directory entry points to an inode that does not exist in its view.</summary>
    DanglingEntry,

    /// <summary>An inode version no workspace or snapshot can reach, and GC has not been told about.</summary>
    UnreachableInode,

    /// <summary>The layer tree is inconsistent: a missing parent, a loop, wrong child, pin or record counts, a head that is not its workspace's.</summary>
    BrokenLayerChain,

    /// <summary>A file version or its chunk map is missing, or a reference count does not match the records that reference it.</summary>
    BrokenGeneration,

    /// <summary>A block that no metadata owns and no write session will publish.</summary>
    OrphanBlock,

    /// <summary>
    /// A directory entry names one kind of node (file, directory, link) and its inode is another,
    /// or a file or link has entries below it: path lookups, which trust the entry, would disagree with reads.
    /// </summary>
    MismatchedEntry,
}
