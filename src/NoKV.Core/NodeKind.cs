namespace NoKV;

/// <summary>What a path names.</summary>
public enum NodeKind
{
    /// <summary>A regular file.</summary>
    File = 1,

    /// <summary>A directory.</summary>
    Directory = 2,

    /// <summary>A symbolic link: its target is stored as given and never followed by NoKV.</summary>
    SymbolicLink = 3,
}
