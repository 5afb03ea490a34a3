namespace NoKV;

/// <summary>A block's bytes do not match the checksum recorded when it was written; no wrong bytes are returned.</summary>
public sealed class BlockCorruptedException : NoKVException
{
    /// <summary>Creates the exception for a block key.</summary>
    public BlockCorruptedException(string blockKey, string detail)
        : base($"Block '{blockKey}' is corrupted: {detail}.") => BlockKey = blockKey;

    /// <summary>The key of the corrupted block.</summary>
    public string BlockKey { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.Corrupted;
}
