namespace NoKV.Protocol;

/// <summary>
/// A server failure of a type the client does not know (a newer server, or an unexpected bug):
/// keeps the server's kind, transience, message and type name, so callers can still branch on
/// <see cref="NoKVException.ErrorKind"/>.
/// </summary>
internal sealed class RemoteNoKVException(string message, NoKVErrorKind kind, bool transient, string remoteType) : NoKVException(message)
{
    public override NoKVErrorKind ErrorKind => kind;

    public override bool IsTransient => transient;

    /// <summary>The exception type name on the server.</summary>
    public string RemoteType => remoteType;
}
