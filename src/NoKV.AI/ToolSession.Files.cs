using System.Text;

namespace NoKV.AI;

internal sealed partial class ToolSession
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>read_file: the file's text, or a range of its lines, bounded by MaxReadBytes and MaxResultChars.</summary>
    public async Task<string> ReadFileAsync(string path, int? startLine, int? endLine, CancellationToken cancellationToken)
    {
        var file = ToolPaths.Normalize(path);
        var first = startLine ?? 1;
        if (first < 1) throw new ToolException("start_line counts from 1.");
        if (endLine is { } last && last < first) throw new ToolException($"end_line ({last}) is before start_line ({first}).");

        var stream = workspace.OpenRead(file);
        await using (stream.ConfigureAwait(false))
        {
            if (await LooksBinaryAsync(stream, cancellationToken).ConfigureAwait(false))
                return $"{file} is a binary file ({Plural(stream.Length, "byte")}); its bytes are not shown.";
            if (stream.Length == 0) return $"{file} is empty.";

            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            var text = new BoundedText(options.MaxResultChars);
            var bytesLeft = options.MaxReadBytes;
            var lineNumber = 0;
            var lastShown = 0;
            var cut = false;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                lineNumber++;
                if (lineNumber < first) continue;
                if (endLine is { } end && lineNumber > end) break;
                bytesLeft -= Encoding.UTF8.GetByteCount(line) + 1;
                if (bytesLeft < 0 || !text.TryAppendLine(line))
                {
                    // One line longer than the whole budget (minified code): show its start, not nothing.
                    if (lastShown == 0) return LongLinePrefix(file, lineNumber, line);
                    cut = true;
                    break;
                }
                lastShown = lineNumber;
            }
            if (lineNumber < first) throw new ToolException($"{file} has {Plural(lineNumber, "line")}; start_line {first} is past its end.");
            return text.Finish($"showing lines {first}-{lastShown} of {file} ({Plural(stream.Length, "byte")} in all); read on with start_line={lastShown + 1}", cut);
        }
    }

    private string LongLinePrefix(string file, int lineNumber, string line)
    {
        var room = Math.Min(options.MaxResultChars - 300, options.MaxReadBytes / 4);
        var prefix = line[..Math.Max(0, Math.Min(room, line.Length))];
        return $"{prefix}\n[truncated: line {lineNumber} of {file} is {line.Length:N0} characters; only its first {prefix.Length:N0} are shown, and no line after it]";
    }

    /// <summary>write_file: creates or replaces a file (and its missing parent directories) with UTF-8 text.</summary>
    public async Task<string> WriteFileAsync(string path, string content, CancellationToken cancellationToken)
    {
        var file = ToolPaths.Normalize(path);
        ArgumentNullException.ThrowIfNull(content);
        var bytes = Encoding.UTF8.GetBytes(content);
        if (bytes.Length > options.MaxWriteBytes) throw new ToolException($"the content is {Plural(bytes.Length, "byte")}; the limit is {options.MaxWriteBytes:N0}. Nothing was written.");
        if (file == "/") throw new ToolException("\"/\" is the workspace root directory, not a file.");
        var existed = workspace.Exists(file);
        using (var parents = CreatedParents.Create(workspace, file))
        {
            await workspace.WriteAllBytesAsync(file, bytes, cancellationToken).ConfigureAwait(false);
            parents.Keep();
        }
        return $"{(existed ? "replaced" : "created")} {file} ({Plural(bytes.Length, "byte")})";
    }

    /// <summary>edit_file: replaces exact text, once (it must occur exactly once) or everywhere.</summary>
    public async Task<string> EditFileAsync(string path, string oldText, string newText, bool replaceAll, CancellationToken cancellationToken)
    {
        var file = ToolPaths.Normalize(path);
        if (string.IsNullOrEmpty(oldText)) throw new ToolException("old_text is empty; give the exact text to replace (use write_file to write a whole file).");
        ArgumentNullException.ThrowIfNull(newText);
        var node = workspace.Stat(file);
        if (node.Kind != NodeKind.File) throw new ToolException($"{file} is a {Describe(node.Kind)}, not a file.");
        if (node.Length > options.MaxWriteBytes) throw new ToolException($"{file} is {Plural(node.Length, "byte")}, more than the edit limit of {options.MaxWriteBytes:N0}.");

        string text;
        try { text = StrictUtf8.GetString(await workspace.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false)); }
        catch (DecoderFallbackException) { throw new ToolException($"{file} is not UTF-8 text; edit_file only edits text."); }

        var count = CountOccurrences(text, oldText);
        if (count == 0) throw new ToolException($"old_text was not found in {file}; it must match the file exactly (whitespace and line breaks included). Read the file again and copy the text.");
        if (count > 1 && !replaceAll) throw new ToolException($"old_text occurs {count} times in {file}; include more surrounding text so it occurs once, or set replace_all to replace all {count}.");

        var edited = replaceAll ? text.Replace(oldText, newText, StringComparison.Ordinal) : ReplaceFirst(text, oldText, newText);
        var bytes = Encoding.UTF8.GetBytes(edited);
        if (bytes.Length > options.MaxWriteBytes) throw new ToolException($"the edited file would be {Plural(bytes.Length, "byte")}, more than the limit of {options.MaxWriteBytes:N0}. Nothing was written.");
        await workspace.WriteAllBytesAsync(file, bytes, cancellationToken).ConfigureAwait(false);
        return $"replaced {Plural(replaceAll ? count : 1, "occurrence")} in {file}";
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static string ReplaceFirst(string text, string oldText, string newText)
    {
        var at = text.IndexOf(oldText, StringComparison.Ordinal);
        return string.Concat(text.AsSpan(0, at), newText, text.AsSpan(at + oldText.Length));
    }

    /// <summary>A NUL byte in the first 8 KiB means binary, as git and grep decide. Leaves the stream at its start.</summary>
    private static async Task<bool> LooksBinaryAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        stream.Position = 0;
        return Array.IndexOf(buffer, (byte)0, 0, read) >= 0;
    }

    private static string Describe(NodeKind kind) => kind switch
    {
        NodeKind.Directory => "directory",
        NodeKind.SymbolicLink => "symbolic link",
        _ => "file",
    };
}
