using System.Text;
using System.Text.RegularExpressions;

namespace NoKV.AI;

internal sealed partial class ToolSession
{
    private const int MaxPatternChars = 1000;
    private const int MaxShownLineChars = 240;

    /// <summary>
    /// search_text: lines matching a regular expression, as "path:line: text", in breadth-first
    /// path order. Binary files and files over MaxWriteBytes are skipped; each match may run for
    /// at most RegexTimeout, so a catastrophic pattern fails the call instead of hanging it.
    /// </summary>
    public async Task<string> SearchTextAsync(string pattern, string? path, string? glob, bool ignoreCase, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(pattern)) throw new ToolException("the pattern is empty.");
        if (pattern.Length > MaxPatternChars) throw new ToolException($"the pattern is longer than {MaxPatternChars:N0} characters.");
        var root = ToolPaths.Normalize(path ?? "/");
        var regex = Compile(pattern, ignoreCase);
        var filter = string.IsNullOrEmpty(glob) ? null : new Glob(glob);

        // A single file is searched as itself, so "search in /a.py" works as a model expects.
        if (workspace.Stat(root).Kind == NodeKind.File)
        {
            var single = new BoundedText(options.MaxResultChars);
            var singleMatches = 0;
            var full = await SearchFileAsync(root, regex, single, () => ++singleMatches <= options.MaxSearchMatches, cancellationToken).ConfigureAwait(false);
            return singleMatches == 0 ? $"no line of {root} matches." : single.Finish($"showing the first {options.MaxSearchMatches:N0} matches", full);
        }

        var walk = new TreeWalk(workspace, root, options.MaxVisitedEntries);
        var text = new BoundedText(options.MaxResultChars);
        var matches = 0;
        var skipped = 0;
        var stopped = false;
        await foreach (var (entryPath, node) in walk.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (node.Kind != NodeKind.File || (filter is not null && !filter.IsMatch(ToolPaths.Relative(root, entryPath)))) continue;
            if (node.Length > options.MaxWriteBytes)
            {
                skipped++;
                continue;
            }
            stopped = await SearchFileAsync(entryPath, regex, text, () => ++matches <= options.MaxSearchMatches, cancellationToken).ConfigureAwait(false);
            if (stopped) break;
        }
        var skippedNote = skipped == 0 ? "" : $" ({Plural(skipped, "file")} over {options.MaxWriteBytes:N0} bytes skipped)";
        if (matches == 0 && !walk.Exhausted) return $"no line below {root} matches{skippedNote}.";
        var why = walk.Exhausted && !stopped
            ? $"stopped after visiting {options.MaxVisitedEntries:N0} entries; narrow the directory or glob{skippedNote}"
            : $"showing the first {Math.Min(matches, options.MaxSearchMatches):N0} matches; narrow the pattern, directory or glob{skippedNote}";
        var result = text.Finish(why, stopped || walk.Exhausted);
        return skipped > 0 && !stopped && !walk.Exhausted ? result + "\n" + skippedNote.Trim() : result;
    }

    /// <summary>Appends a file's matching lines; true when the result is full (a limit stopped it).</summary>
    private async Task<bool> SearchFileAsync(string file, Regex regex, BoundedText text, Func<bool> takeMatch, CancellationToken cancellationToken)
    {
        var stream = workspace.OpenRead(file);
        await using (stream.ConfigureAwait(false))
        {
            if (await LooksBinaryAsync(stream, cancellationToken).ConfigureAwait(false)) return false;
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            var lineNumber = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                lineNumber++;
                if (!IsMatch(regex, line)) continue;
                var shown = line.Length > MaxShownLineChars ? line[..MaxShownLineChars] + "…" : line;
                if (!takeMatch() || !text.TryAppendLine($"{file}:{lineNumber}: {shown}")) return true;
            }
            return false;
        }
    }

    private Regex Compile(string pattern, bool ignoreCase)
    {
        var flags = RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        try { return new Regex(pattern, flags, options.RegexTimeout); }
        catch (ArgumentException e) { throw new ToolException($"the pattern is not a valid .NET regular expression: {e.Message}"); }
    }

    private bool IsMatch(Regex regex, string line)
    {
        try { return regex.IsMatch(line); }
        catch (RegexMatchTimeoutException) { throw new ToolException($"the pattern took longer than {options.RegexTimeout.TotalSeconds:0.###} s on one line and was stopped; simplify it (avoid nested quantifiers such as (a+)+)."); }
    }
}
