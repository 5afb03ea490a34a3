namespace NoKV;

/// <summary>
/// A write, truncate or write at an offset would make a file longer than the store's
/// <see cref="WorkspaceStoreOptions.MaxFileSize"/>. The file keeps its previous version.
/// </summary>
public sealed class FileTooLargeException : NoKVException
{
    /// <summary>Creates the exception for a file that would reach <paramref name="length"/> bytes where at most <paramref name="maxLength"/> are allowed.</summary>
    public FileTooLargeException(string path, long length, long maxLength)
        : base($"'{path}' would be {length} bytes long; this store's largest file is {maxLength} bytes (WorkspaceStoreOptions.MaxFileSize).")
    {
        Path = path;
        Length = length;
        MaxLength = maxLength;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The length the file would have had.</summary>
    public long Length { get; }

    /// <summary>The store's largest file size.</summary>
    public long MaxLength { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.TooLarge;
}
