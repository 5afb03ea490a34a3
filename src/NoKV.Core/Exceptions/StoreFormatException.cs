namespace NoKV;

/// <summary>
/// The store was written by a newer NoKV, in a metadata format this one does not read. Nothing
/// was changed. Open it with a NoKV that reads <see cref="StoreVersion"/> (the format history is
/// in docs/ARCHITECTURE.md); older formats are upgraded in place on open.
/// </summary>
public sealed class StoreFormatException : NoKVException
{
    /// <summary>Creates the exception for a store of <paramref name="storeVersion"/> met by a NoKV that reads up to <paramref name="supportedVersion"/>.</summary>
    public StoreFormatException(int storeVersion, int supportedVersion)
        : base($"The store's metadata is format {storeVersion}; this NoKV reads formats up to {supportedVersion} (older ones are upgraded on open). " +
               $"Upgrade NoKV to a version that reads format {storeVersion}.")
    {
        StoreVersion = storeVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>The store's metadata format version.</summary>
    public int StoreVersion { get; }

    /// <summary>The newest format this NoKV reads.</summary>
    public int SupportedVersion { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.Unsupported;
}
