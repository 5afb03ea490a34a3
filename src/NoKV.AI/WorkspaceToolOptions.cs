namespace NoKV.AI;

/// <summary>
/// Limits and switches for <see cref="WorkspaceTools.Create"/>. Every limit bounds what one tool
/// call reads or returns, so a model can never pull a huge file or listing into its context:
/// a result cut at a limit says so ("truncated") and how to read on.
/// </summary>
public sealed class WorkspaceToolOptions
{
    private int _maxReadBytes = 64 * 1024;
    private int _maxResultChars = 20_000;
    private int _maxSearchMatches = 200;
    private int _maxWriteBytes = 8 * 1024 * 1024;
    private int _maxVisitedEntries = 50_000;
    private int _maxHunkFileBytes = 256 * 1024;
    private TimeSpan _regexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gives only the tools that read (read_file, list_directory, find_files, search_text, diff):
    /// no tool that writes, deletes, moves, snapshots or rolls back is created. Default false.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// The snapshot the workspace was cloned from (<see cref="CloneHandle.SnapshotId"/>, read
    /// with <see cref="WorkspaceStore.GetSnapshot"/>): the default the diff tool compares with,
    /// and a snapshot the rollback tool may return to (discarding everything the agent did).
    /// Null: diff needs a snapshot the tools took.
    /// </summary>
    public SnapshotPin? BaseSnapshot { get; set; }

    /// <summary>The most bytes of a file one read_file call returns. Default 64 KiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public int MaxReadBytes { get => _maxReadBytes; set => _maxReadBytes = Positive(value); }

    /// <summary>The most characters any tool result holds (listings, matches, diffs). Default 20,000.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 256 (too small to say anything useful).</exception>
    public int MaxResultChars
    {
        get => _maxResultChars;
        set => _maxResultChars = value >= 256 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxResultChars must be at least 256.");
    }

    /// <summary>The most matches (search_text) or paths (find_files) one call returns. Default 200.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public int MaxSearchMatches { get => _maxSearchMatches; set => _maxSearchMatches = Positive(value); }

    /// <summary>The largest file write_file writes or edit_file rewrites, in UTF-8 bytes; search_text skips larger files. Default 8 MiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public int MaxWriteBytes { get => _maxWriteBytes; set => _maxWriteBytes = Positive(value); }

    /// <summary>The most directory entries one find_files or search_text call visits before it stops and says so. Default 50,000.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public int MaxVisitedEntries { get => _maxVisitedEntries; set => _maxVisitedEntries = Positive(value); }

    /// <summary>The largest file (either side) the diff tool shows line hunks for; larger files are listed without hunks. Default 256 KiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public int MaxHunkFileBytes { get => _maxHunkFileBytes; set => _maxHunkFileBytes = Positive(value); }

    /// <summary>How long one regular-expression match in search_text may run before the call fails. Default 1 second.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive, or longer than a minute.</exception>
    public TimeSpan RegexTimeout
    {
        get => _regexTimeout;
        set => _regexTimeout = value > TimeSpan.Zero && value <= TimeSpan.FromMinutes(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "RegexTimeout must be positive and at most one minute.");
    }

    private static int Positive(int value, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
}
