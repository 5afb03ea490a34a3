using System.Text;

namespace NoKV.Cli.Output;

/// <summary>
/// Unified diffs of text, from a Myers shortest edit script over lines, with three lines of
/// context. Very different large files (edit distance past a cap) become one hunk that replaces
/// everything, rather than costing quadratic memory.
/// </summary>
internal static class UnifiedDiff
{
    private const int Context = 3;
    private const int MaxEditDistance = 4000;
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Text means valid UTF-8 without NUL bytes.</summary>
    public static bool TryDecode(byte[] data, out string text)
    {
        text = "";
        if (Array.IndexOf(data, (byte)0) >= 0) return false;
        try { text = StrictUtf8.GetString(data); return true; }
        catch (DecoderFallbackException) { return false; }
    }

    public static IEnumerable<string> Format(string oldLabel, string newLabel, string oldText, string newText)
    {
        var a = SplitLines(oldText);
        var b = SplitLines(newText);
        var script = EditScript(a, b);
        yield return $"--- {oldLabel}";
        yield return $"+++ {newLabel}";
        foreach (var line in Hunks(a, b, script)) yield return line;
    }

    private static string[] SplitLines(string text) =>
        text.Length == 0 ? [] : text.EndsWith('\n') ? text[..^1].Split('\n') : text.Split('\n');

    /// <summary>One entry per line of the output: ' ' kept (index in a), '-' deleted (index in a), '+' inserted (index in b).</summary>
    private static List<(char Op, int A, int B)> EditScript(string[] a, string[] b)
    {
        int n = a.Length, m = b.Length, max = n + m;
        var offset = max + 1;
        var v = new int[2 * max + 3];
        var trace = new List<int[]>();
        var found = false;
        for (var d = 0; d <= Math.Min(max, MaxEditDistance) && !found; d++)
        {
            trace.Add((int[])v.Clone());
            for (var k = -d; k <= d; k += 2)
            {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                var y = x - k;
                while (x < n && y < m && a[x] == b[y]) { x++; y++; }
                v[offset + k] = x;
                if (x >= n && y >= m) { found = true; break; }
            }
        }
        if (!found) return [.. Enumerable.Range(0, n).Select(i => ('-', i, 0)), .. Enumerable.Range(0, m).Select(j => ('+', 0, j))];

        // Walk the trace back from (n, m) to (0, 0).
        var script = new List<(char, int, int)>();
        int cx = n, cy = m;
        for (var d = trace.Count - 1; d >= 0; d--)
        {
            var vd = trace[d];
            var k = cx - cy;
            var prevK = k == -d || (k != d && vd[offset + k - 1] < vd[offset + k + 1]) ? k + 1 : k - 1;
            var prevX = d == 0 ? 0 : vd[offset + prevK];
            var prevY = prevX - prevK;
            while (cx > prevX && cy > prevY) { script.Add((' ', --cx, --cy)); }
            if (d > 0)
            {
                if (cx == prevX) script.Add(('+', cx, --cy));
                else script.Add(('-', --cx, cy));
            }
        }
        script.Reverse();
        return script;
    }

    private static IEnumerable<string> Hunks(string[] a, string[] b, List<(char Op, int A, int B)> script)
    {
        var i = 0;
        while (i < script.Count)
        {
            if (script[i].Op == ' ') { i++; continue; }
            var start = Math.Max(0, i - Context);
            var end = i;
            // Extend while the next change is within 2 * Context kept lines.
            while (end < script.Count)
            {
                var next = end;
                while (next < script.Count && script[next].Op != ' ') next++;
                var kept = next;
                while (kept < script.Count && script[kept].Op == ' ') kept++;
                if (kept >= script.Count || kept - next > 2 * Context) { end = Math.Min(script.Count, next + Context); break; }
                end = kept;
            }
            var hunk = script.GetRange(start, end - start);
            var aStart = hunk.Select(e => e.Op == '+' ? -1 : e.A).FirstOrDefault(x => x >= 0, -1);
            var bStart = hunk.Select(e => e.Op == '-' ? -1 : e.B).FirstOrDefault(x => x >= 0, -1);
            var aCount = hunk.Count(e => e.Op != '+');
            var bCount = hunk.Count(e => e.Op != '-');
            yield return $"@@ -{(aCount == 0 ? 0 : aStart + 1)},{aCount} +{(bCount == 0 ? 0 : bStart + 1)},{bCount} @@";
            foreach (var (op, ai, bi) in hunk) yield return op + (op == '+' ? b[bi] : a[ai]);
            i = end;
        }
    }
}
