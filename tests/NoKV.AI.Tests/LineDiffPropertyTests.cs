using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using NoKV.AI;

namespace NoKV.Tests;

/// <summary>The diff tool's unified hunks are a correct patch: applied to the old text they give the new one.</summary>
public sealed class LineDiffPropertyTests
{
    // A small alphabet, so generated texts share many lines and the alignment has real work to do.
    private static readonly Gen<string[]> LinesGen = Gen.Choose(0, 30).SelectMany(n => Gen.Elements("a", "b", "c", "d", "", "e f").ArrayOf(n));

    [Fact]
    public void Hunks_applied_to_the_old_text_give_the_new_text()
    {
        Prop.ForAll(Arb.From(LinesGen), Arb.From(LinesGen), (before, after) =>
        {
            var oldText = Join(before);
            var newText = Join(after);
            var hunks = LineDiff.Unified(oldText, newText);
            Assert.Equal(after, Apply(before, hunks));
            Assert.Equal(oldText == newText, hunks.Length == 0);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true));
    }

    [Fact]
    public void Hunks_keep_three_lines_of_context_and_split_distant_changes()
    {
        var before = Enumerable.Range(1, 20).Select(i => $"line {i}").ToArray();
        var after = before.ToArray();
        after[1] = "changed 2";
        after[17] = "changed 18";
        var hunks = LineDiff.Unified(Join(before), Join(after));
        Assert.Equal(["@@ -1,5 +1,5 @@", "@@ -15,6 +15,6 @@"], hunks.Split('\n').Where(l => l.StartsWith("@@", StringComparison.Ordinal)));
    }

    private static string Join(string[] lines) => lines.Length == 0 ? "" : string.Join('\n', lines) + "\n";

    /// <summary>A strict patch: every context and removed line must match the old text where the hunk header says.</summary>
    private static string[] Apply(string[] before, string hunks)
    {
        var result = new List<string>();
        var position = 0;
        var lines = hunks.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            Assert.StartsWith("@@ -", lines[i], StringComparison.Ordinal);
            var header = lines[i].Split(' ');
            var old = header[1][1..].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var start = old[1] == 0 ? old[0] : old[0] - 1;
            Assert.True(start >= position, "hunks overlap or go backwards");
            result.AddRange(before[position..start]);
            position = start;
            int removed = 0, added = 0, kept = 0;
            while (i + 1 < lines.Length && lines[i + 1].Length > 0 && lines[i + 1][0] is ' ' or '-' or '+')
            {
                var line = lines[++i];
                var body = line[1..];
                switch (line[0])
                {
                    case ' ': Assert.Equal(before[position], body); result.Add(body); position++; kept++; break;
                    case '-': Assert.Equal(before[position], body); position++; removed++; break;
                    default: result.Add(body); added++; break;
                }
            }
            var counts = header[2][1..].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(old[1], kept + removed);
            Assert.Equal(counts[1], kept + added);
        }
        result.AddRange(before[position..]);
        return [.. result];
    }
}
