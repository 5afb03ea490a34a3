namespace NoKV.Client;

/// <summary>Nothing answers at the store's socket: no process owns and serves the store, or it stopped.</summary>
public sealed class ServerUnavailableException : NoKVException
{
    /// <summary>Creates the exception for <paramref name="socketPath"/>.</summary>
    public ServerUnavailableException(string socketPath, Exception? innerException = null)
        : base($"No NoKV server answers at {socketPath}; is the store open and served ('nokv serve', 'nokv mount')?", innerException) => SocketPath = socketPath;

    /// <summary>The socket that did not answer.</summary>
    public string SocketPath { get; }

    /// <summary>Always true: an owner may start serving later.</summary>
    public override bool IsTransient => true;
}
