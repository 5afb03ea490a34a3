using System.Text;

namespace NoKV.AI;

/// <summary>
/// Unified diff hunks ("@@ -a,b +c,d @@", three lines of context) between two texts. The common
/// head and tail are trimmed first; the middle is aligned by a longest common subsequence when
/// it is small enough (at most <see cref="MaxCells"/> line pairs), and otherwise shown as one
/// replaced block — still a correct diff, only a coarser one.
/// </summary>
internal static class LineDiff
{
    private const int Context = 3;
    private const long MaxCells = 4_000_000;

    public static string Unified(string before, string after)
    {
        var a = SplitLines(before);
        var b = SplitLines(after);
        var edits = Edits(a, b);
        var output = new StringBuilder();
        var i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Kind == ' ') { i++; continue; }
            var start = Math.Max(0, i - Context);
            var end = i;
            // Extend the hunk while the next change is within two contexts of the last one.
            while (true)
            {
                while (end < edits.Count && edits[end].Kind != ' ') end++;
                var next = end;
                while (next < edits.Count && edits[next].Kind == ' ') next++;
                if (next < edits.Count && next - end <= 2 * Context) { end = next; continue; }
                end = Math.Min(edits.Count, end + Context);
                break;
            }
            AppendHunk(output, edits, start, end);
            i = end;
        }
        return output.ToString();
    }

    private readonly record struct Edit(char Kind, string Line, int OldLine, int NewLine);

    private static void AppendHunk(StringBuilder output, List<Edit> edits, int start, int end)
    {
        var oldCount = 0;
        var newCount = 0;
        for (var k = start; k < end; k++)
        {
            if (edits[k].Kind != '+') oldCount++;
            if (edits[k].Kind != '-') newCount++;
        }
        var oldStart = oldCount == 0 ? edits[start].OldLine : edits[start].OldLine + 1;
        var newStart = newCount == 0 ? edits[start].NewLine : edits[start].NewLine + 1;
        output.Append(System.Globalization.CultureInfo.InvariantCulture, $"@@ -{oldStart},{oldCount} +{newStart},{newCount} @@\n");
        for (var k = start; k < end; k++) output.Append(edits[k].Kind).Append(edits[k].Line).Append('\n');
    }

    /// <summary>The edit script: ' ' kept, '-' removed, '+' added, with the 0-based line each starts at.</summary>
    private static List<Edit> Edits(string[] a, string[] b)
    {
        var head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head]) head++;
        var tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[^(tail + 1)] == b[^(tail + 1)]) tail++;

        var edits = new List<Edit>();
        for (var k = 0; k < head; k++) edits.Add(new Edit(' ', a[k], k, k));
        var n = a.Length - head - tail;
        var m = b.Length - head - tail;
        if ((long)n * m <= MaxCells) AlignMiddle(a, b, head, n, m, edits);
        else
        {
            for (var k = 0; k < n; k++) edits.Add(new Edit('-', a[head + k], head + k, head));
            for (var k = 0; k < m; k++) edits.Add(new Edit('+', b[head + k], head + n, head + k));
        }
        for (var k = 0; k < tail; k++) edits.Add(new Edit(' ', a[a.Length - tail + k], a.Length - tail + k, b.Length - tail + k));
        return edits;
    }

    private static void AlignMiddle(string[] a, string[] b, int head, int n, int m, List<Edit> edits)
    {
        // lcs[i, j]: the longest common subsequence of a[head+i..] and b[head+j..].
        var lcs = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
            for (var j = m - 1; j >= 0; j--)
                lcs[i, j] = a[head + i] == b[head + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        int x = 0, y = 0;
        while (x < n || y < m)
        {
            if (x < n && y < m && a[head + x] == b[head + y]) { edits.Add(new Edit(' ', a[head + x], head + x, head + y)); x++; y++; }
            // Removals before additions, as diff and git print a replaced line.
            else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1])) { edits.Add(new Edit('-', a[head + x], head + x, head + y)); x++; }
            else { edits.Add(new Edit('+', b[head + y], head + x, head + y)); y++; }
        }
    }

    private static string[] SplitLines(string text)
    {
        if (text.Length == 0) return [];
        var lines = text.Split('\n');
        // A final newline ends the last line; it does not start an empty one.
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }
}
