namespace NoKV;

/// <summary>
/// The request asks for something NoKV's tree model does not have: setting the mode of a symbolic
/// link (Linux keeps every link 0777), hard links, extended attributes. Nothing was changed.
/// </summary>
public sealed class OperationNotSupportedException : NoKVException
{
    /// <summary>Creates the exception for an operation on a path, saying why NoKV does not do it.</summary>
    public OperationNotSupportedException(string path, string reason)
        : base($"'{path}': {reason}")
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The path the operation named.</summary>
    public string Path { get; }

    /// <summary>Why NoKV does not do it.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.Unsupported;
}
