namespace NoKV.Import;

/// <summary>
/// One name listed in an import source directory: as a string for the workspace, and as the
/// NUL-terminated bytes the directory holds, so that the entry is opened by exactly the name that
/// was listed (a name that is not valid UTF-8 would not survive a round trip through the string).
/// </summary>
internal readonly record struct SourceEntryName(string Name, byte[] NativeName)
{
    /// <summary>A name known only as a string (listed by .NET): its native form is its UTF-8 encoding.</summary>
    public static SourceEntryName FromString(string name) => new(name, System.Text.Encoding.UTF8.GetBytes(name + "\0"));
}
