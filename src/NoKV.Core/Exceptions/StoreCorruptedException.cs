namespace NoKV;

/// <summary>The store's metadata is damaged or of an unknown format version.</summary>
public sealed class StoreCorruptedException : NoKVException
{
    /// <summary>Creates the exception with a description of the damage.</summary>
    public StoreCorruptedException(string message, Exception? innerException = null) : base(message, innerException) { }
}
