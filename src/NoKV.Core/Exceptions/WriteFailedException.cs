namespace NoKV;

/// <summary>
/// A write session that had already failed was used again or disposed: an earlier write, flush or
/// block upload failed or was cancelled, so the session published nothing and the file keeps its
/// previous version. <see cref="Exception.InnerException"/> is that first failure (the caller
/// already saw it once, from the call that hit it).
/// </summary>
public sealed class WriteFailedException : NoKVException
{
    /// <summary>Creates the exception for a file path and the failure that ended its session.</summary>
    /// <param name="path">The file the session was writing.</param>
    /// <param name="firstFailure">The first failure of the session.</param>
    public WriteFailedException(string path, Exception firstFailure)
        : base($"The write to '{path}' failed and published nothing; the file keeps its previous version. First failure: {firstFailure?.Message}", firstFailure)
        => Path = path;

    /// <summary>The file the failed session was writing.</summary>
    public string Path { get; }

    /// <summary>True when the first failure was transient (writing the file again may succeed).</summary>
    public override bool IsTransient => InnerException is NoKVException { IsTransient: true } or TimeoutException;
}
