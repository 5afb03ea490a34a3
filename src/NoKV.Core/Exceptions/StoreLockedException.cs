namespace NoKV;

/// <summary>
/// The store directory is already open, in this process or another. A store has one owner at a
/// time: share the open <see cref="WorkspaceStore"/> instance instead of opening it twice.
/// </summary>
public sealed class StoreLockedException : NoKVException
{
    /// <summary>Creates the exception for a store directory.</summary>
    public StoreLockedException(string directory, string? owner, Exception? innerException = null)
        : base($"The store at {directory} is already open{(string.IsNullOrWhiteSpace(owner) ? "" : $" ({owner})")}; a store has one owner at a time.", innerException)
        => Directory = directory;

    /// <summary>The store directory.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.Locked;
}
