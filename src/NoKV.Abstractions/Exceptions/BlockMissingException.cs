namespace NoKV;

/// <summary>A block that a published file references is not in the block store.</summary>
public sealed class BlockMissingException : NoKVException
{
    /// <summary>Creates the exception for a block key.</summary>
    public BlockMissingException(string blockKey, Exception? innerException = null)
        : base($"Block '{blockKey}' is missing from the block store.", innerException) => BlockKey = blockKey;

    /// <summary>The key of the missing block.</summary>
    public string BlockKey { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.Corrupted;
}
