namespace NoKV.Cli;

/// <summary>
/// chmod's MODE: octal (755, 0755, 4755: permission bits, setuid, setgid, sticky) or symbolic
/// clauses separated by commas ([ugoa]*[+-=][rwxst]*, e.g. u+x, go-w, a=r).
/// </summary>
internal static class ModeArgument
{
    /// <summary>The mode <paramref name="text"/> gives a node whose mode is now <paramref name="current"/>.</summary>
    /// <exception cref="UsageException">Not a mode.</exception>
    public static UnixFileMode Apply(string text, UnixFileMode current)
    {
        if (text.Length > 0 && text.All(char.IsAsciiDigit)) return Octal(text);
        var mode = (int)current;
        foreach (var clause in text.Split(','))
        {
            var at = 0;
            var who = 0;
            for (; at < clause.Length && "ugoa".Contains(clause[at], StringComparison.Ordinal); at++)
                who |= clause[at] switch { 'u' => 0x9C0, 'g' => 0x438, 'o' => 0x207, _ => 0xFFF };
            if (who == 0) who = 0xFFF;
            if (at >= clause.Length || "+-=".IndexOf(clause[at], StringComparison.Ordinal) is var op && op < 0) throw Bad(text);
            at++;
            var bits = 0;
            for (; at < clause.Length; at++)
                bits |= clause[at] switch { 'r' => 0x124, 'w' => 0x92, 'x' => 0x49, 's' => 0xC00, 't' => 0x200, _ => throw Bad(text) };
            bits &= who;
            mode = op switch { 0 => mode | bits, 1 => mode & ~bits, _ => (mode & ~who) | bits };
        }
        return (UnixFileMode)mode;
    }

    private static UnixFileMode Octal(string text)
    {
        if (text.Length > 5 || text.Any(c => c > '7')) throw Bad(text);
        var value = Convert.ToInt32(text, 8);
        return value <= 0xFFF ? (UnixFileMode)value : throw Bad(text);
    }

    private static UsageException Bad(string text) =>
        new($"'{text}' is not a mode: use octal (755, 0644, 4755) or symbolic (u+x, go-w, a=r)");
}
