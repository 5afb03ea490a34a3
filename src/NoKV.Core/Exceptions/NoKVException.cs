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
}
