namespace NoKV.Cli;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command found what it reports (a difference with diff --exit-code, problems with fsck).</summary>
    public const int Found = 1;

    /// <summary>Bad usage or input: a one-line message on stderr, nothing changed.</summary>
    public const int Usage = 2;

    /// <summary>Something failed that is not the user's input (I/O, an unreachable block store, a bug).</summary>
    public const int Failure = 3;
}
