namespace NoKV;

/// <summary>The base of every error NoKV raises for a store, workspace, snapshot or block problem.</summary>
public class NoKVException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public NoKVException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public NoKVException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>True when retrying the same operation later may succeed (e.g. a block store timeout).</summary>
    public virtual bool IsTransient => false;

    /// <summary>What kind of failure this is; front ends map it (to an exit code, an errno, a status).</summary>
    public virtual NoKVErrorKind ErrorKind => NoKVErrorKind.Failure;

    /// <summary>
    /// True when the request itself was wrong for the store as it is (a missing path, an existing
    /// name, a limit, unrelated trees): retrying it unchanged fails the same way, and nothing was changed.
    /// </summary>
    public bool IsCallerError => ErrorKind is not (NoKVErrorKind.Failure or NoKVErrorKind.Locked or NoKVErrorKind.Corrupted);
}
