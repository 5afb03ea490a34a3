using System.Text;

namespace NoKV.AI;

/// <summary>
/// A result built line by line that never grows past its budget: the first line that does not
/// fit ends it, and <see cref="Finish"/> says it was truncated and how to get the rest.
/// </summary>
internal sealed class BoundedText(int maxChars)
{
    // Room kept for the truncation note, so the whole result stays within the budget.
    private const int NoteReserve = 200;
    private readonly StringBuilder _text = new();

    public bool Full { get; private set; }

    /// <summary>Appends a line; false (and nothing appended) once the budget is spent.</summary>
    public bool TryAppendLine(string line)
    {
        if (Full) return false;
        if (_text.Length + line.Length + 1 > Math.Max(maxChars - NoteReserve, 0))
        {
            Full = true;
            return false;
        }
        _text.Append(line).Append('\n');
        return true;
    }

    public int Length => _text.Length;

    /// <summary>The text, with <paramref name="truncationNote"/> appended when something was left out.</summary>
    public string Finish(string? truncationNote, bool truncated)
    {
        if (truncated && truncationNote is not null) _text.Append("[truncated: ").Append(truncationNote).Append(']');
        return _text.Length == 0 ? "(empty)" : _text.ToString().TrimEnd('\n');
    }
}
