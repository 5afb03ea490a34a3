namespace NoKV;

/// <summary>
/// A block store operation failed: the store is unreachable, refused the request, or kept
/// failing after retries. <see cref="NoKVException.IsTransient"/> says whether trying again later may help.
/// </summary>
public sealed class BlockStoreException : NoKVException
{
    private readonly bool _transient;

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the block key or bucket.</param>
    /// <param name="transient">True if the failure may go away (timeouts, 5xx, throttling).</param>
    /// <param name="innerException">The backend's error.</param>
    public BlockStoreException(string message, bool transient, Exception? innerException = null)
        : base(message, innerException) => _transient = transient;

    /// <inheritdoc />
    public override bool IsTransient => _transient;
}
