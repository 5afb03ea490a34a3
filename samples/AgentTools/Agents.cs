/// <summary>Five scripted agents with five different ways of attacking the same bug.</summary>
internal static class Agents
{
    public const string Task = "calc.py's add() subtracts; fix it without breaking anything else.";

    public static IReadOnlyList<ScriptedModel> All() =>
    [
        // Reads, makes the one-line fix with edit_file, adds a regression test.
        new("careful",
        [
            [("read_file", new { path = "calc.py" })],
            [("edit_file", new { path = "calc.py", old_text = "return a - b  # add", new_text = "return a + b  # add" })],
            [("edit_file", new { path = "tests/test_calc.py", old_text = "def test_mul():", new_text = "def test_add():\n    assert add(2, 3) == 5\n\n\ndef test_mul():" })],
            [("diff", new { include_hunks = true })],
        ], "Fixed add() and added test_add."),

        // Rewrites the whole file: fixes the bug but also reformats everything.
        new("rewriter",
        [
            [("write_file", new { path = "calc.py", content = "def add(a, b): return a + b\ndef sub(a, b): return a - b\ndef mul(a, b): return a * b\n" })],
        ], "Rewrote calc.py from scratch."),

        // Makes the tests pass the lazy way: deletes them.
        new("vandal",
        [
            [("delete_path", new { path = "tests", recursive = true })],
        ], "No failing tests any more."),

        // Explores, snapshots, tries a wrong fix, rolls back, then fixes it properly.
        new("explorer",
        [
            [("find_files", new { pattern = "*.py" }), ("search_text", new { pattern = @"def \w+\(a, b\)" })],
            [("snapshot", new { })],
            [("edit_file", new { path = "calc.py", old_text = "return a - b  # add", new_text = "return abs(a - b)  # add" })],
            [("rollback", (Func<IReadOnlyList<string>, object>)(results => new { snapshot_id = SnapshotId(results) }))],
            [("edit_file", new { path = "calc.py", old_text = "return a - b  # add", new_text = "return a + b  # add" })],
        ], "Tried abs(), rolled back, fixed it with +."),

        // Gets confused: escapes the workspace (refused), a non-unique edit (refused), then a half change.
        new("confused",
        [
            [("read_file", new { path = "../../etc/passwd" })],
            [("edit_file", new { path = "calc.py", old_text = "return a", new_text = "return b" })],
            [("write_file", new { path = "NOTES.md", content = "I could not work out which line to change.\n" })],
        ], "Left a note."),
    ];

    /// <summary>The id in the snapshot tool's answer ("snapshot 7 taken; ..."), as the model would read it.</summary>
    private static long SnapshotId(IReadOnlyList<string> results) =>
        long.Parse(results.Last(r => r.StartsWith("snapshot ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
}
