namespace NoKV.Import;

/// <summary>What a directory entry in an import source is, as lstat reports it (links not followed).</summary>
internal enum SourceEntryType
{
    RegularFile,
    Directory,
    SymbolicLink,
    NamedPipe,
    Socket,
    CharacterDevice,
    BlockDevice,
    Other,
}

internal static class SourceEntryTypeExtensions
{
    /// <summary>
    /// Why an entry of this type is left out of an import where it must not be; null for files and
    /// directories. (A link is imported as a link when it is found as one; this reason is for a
    /// link found where a file or directory was just seen.)
    /// </summary>
    public static ImportSkipReason? SkipReason(this SourceEntryType type) => type switch
    {
        SourceEntryType.RegularFile or SourceEntryType.Directory => null,
        SourceEntryType.SymbolicLink => ImportSkipReason.SymbolicLink,
        SourceEntryType.NamedPipe => ImportSkipReason.NamedPipe,
        SourceEntryType.Socket => ImportSkipReason.Socket,
        SourceEntryType.CharacterDevice => ImportSkipReason.CharacterDevice,
        SourceEntryType.BlockDevice => ImportSkipReason.BlockDevice,
        _ => ImportSkipReason.OtherSpecialFile,
    };

    /// <summary>The type encoded in a POSIX st_mode (the S_IFMT bits have the same values on Linux and macOS).</summary>
    public static SourceEntryType FromMode(int mode) => (mode & 0xF000) switch
    {
        0x8000 => SourceEntryType.RegularFile,
        0x4000 => SourceEntryType.Directory,
        0xA000 => SourceEntryType.SymbolicLink,
        0x1000 => SourceEntryType.NamedPipe,
        0xC000 => SourceEntryType.Socket,
        0x2000 => SourceEntryType.CharacterDevice,
        0x6000 => SourceEntryType.BlockDevice,
        _ => SourceEntryType.Other,
    };
}
