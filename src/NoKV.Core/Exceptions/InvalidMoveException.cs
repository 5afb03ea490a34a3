namespace NoKV;

/// <summary>A move that cannot be done: a directory into itself or its own descendant, or the root.</summary>
public sealed class InvalidMoveException : NoKVException
{
    /// <summary>Creates the exception for the two paths.</summary>
    public InvalidMoveException(string from, string to, string reason)
        : base($"Cannot move '{from}' to '{to}': {reason}.")
    {
        From = from;
        To = to;
    }

    /// <summary>The source path.</summary>
    public string From { get; }

    /// <summary>The destination path.</summary>
    public string To { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.InvalidRequest;
}
