using System.Globalization;

namespace NoKV.Cli.Output;

/// <summary>How nodes look in ls -l and stat: ls's mode letters, octal modes and times.</summary>
internal static class NodeText
{
    /// <summary>ls -l's ten characters: the kind (d, l or -), then rwx for user, group and other, with s/S and t/T for setuid, setgid and sticky.</summary>
    public static string Mode(NodeKind kind, UnixFileMode mode)
    {
        var text = new char[10];
        text[0] = kind switch { NodeKind.Directory => 'd', NodeKind.SymbolicLink => 'l', _ => '-' };
        Triplet(text, 1, mode, UnixFileMode.UserRead, UnixFileMode.UserWrite, UnixFileMode.UserExecute, UnixFileMode.SetUser, 's');
        Triplet(text, 4, mode, UnixFileMode.GroupRead, UnixFileMode.GroupWrite, UnixFileMode.GroupExecute, UnixFileMode.SetGroup, 's');
        Triplet(text, 7, mode, UnixFileMode.OtherRead, UnixFileMode.OtherWrite, UnixFileMode.OtherExecute, UnixFileMode.StickyBit, 't');
        return new string(text);
    }

    private static void Triplet(char[] text, int at, UnixFileMode mode, UnixFileMode read, UnixFileMode write, UnixFileMode execute, UnixFileMode special, char specialLetter)
    {
        text[at] = mode.HasFlag(read) ? 'r' : '-';
        text[at + 1] = mode.HasFlag(write) ? 'w' : '-';
        var x = mode.HasFlag(execute);
        text[at + 2] = mode.HasFlag(special) ? (x ? specialLetter : char.ToUpperInvariant(specialLetter)) : (x ? 'x' : '-');
    }

    /// <summary>The mode in octal with four digits, e.g. 0755 or 4755.</summary>
    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    /// <summary>A time to the second, in UTC, as ls -l shows it with --time-style=+'%Y-%m-%d %H:%M:%S'.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The kind as a word.</summary>
    public static string Kind(NodeKind kind) => kind switch
    {
        NodeKind.Directory => "directory",
        NodeKind.SymbolicLink => "symbolic link",
        _ => "file",
    };
}
