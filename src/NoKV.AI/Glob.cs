using System.Text;
using System.Text.RegularExpressions;

namespace NoKV.AI;

/// <summary>
/// A glob over '/'-separated relative paths: '*' matches within one name, '?' one character,
/// '**' any number of whole directories ("**/*.cs" matches "a.cs" and "src/x/a.cs"), and
/// "[abc]" a character class; everything else matches itself. A pattern with no '/' matches
/// names at any depth ("*.cs" is "**/*.cs"), as models usually mean it.
/// </summary>
internal sealed class Glob
{
    private readonly Regex _regex;

    public Glob(string pattern)
    {
        if (string.IsNullOrEmpty(pattern)) throw new ToolException("the glob pattern is empty; use \"**/*\" for every path.");
        if (pattern.Length > 1024) throw new ToolException("the glob pattern is longer than 1,024 characters.");
        var source = pattern.TrimStart('/');
        if (!source.Contains('/', StringComparison.Ordinal) && !source.StartsWith("**", StringComparison.Ordinal)) source = "**/" + source;
        _regex = new Regex(ToRegex(source), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }

    public bool IsMatch(string relativePath) => _regex.IsMatch(relativePath);

    private static string ToRegex(string glob)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slashFollows = i + 2 < glob.Length && glob[i + 2] == '/';
                // "**/" is zero or more whole directories; a trailing "**" is anything below.
                regex.Append(slashFollows ? "(?:[^/]*/)*" : ".*");
                i += slashFollows ? 2 : 1;
            }
            else if (c == '*') regex.Append("[^/]*");
            else if (c == '?') regex.Append("[^/]");
            else if (c == '[' && glob.IndexOf(']', i + 1) is var close && close > i + 1)
            {
                var body = glob[(i + 1)..close];
                regex.Append('[').Append(body.StartsWith('!') ? "^" + Regex.Escape(body[1..]) : Regex.Escape(body)).Append(']');
                i = close;
            }
            else regex.Append(Regex.Escape(c.ToString()));
        }
        return regex.Append('$').ToString();
    }
}
