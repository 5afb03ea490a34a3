using Spectre.Console;

namespace NoKV.Cli.Output;

/// <summary>Tables and progress on a terminal; plain, parseable text when output is redirected.</summary>
internal static class Terminal
{
    public static bool IsInteractive => !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    /// <summary>Prints rows as a Spectre table on a terminal, or as tab-separated lines (header first) otherwise.</summary>
    public static void Table(string[] headers, IEnumerable<string[]> rows)
    {
        if (IsInteractive)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var header in headers) table.AddColumn(header);
            foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(table);
            return;
        }
        Console.Out.WriteLine(string.Join('\t', headers));
        foreach (var row in rows) Console.Out.WriteLine(string.Join('\t', row));
    }
}
