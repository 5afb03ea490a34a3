using System.Globalization;
using Grpc.Core;

namespace NoKV.Protocol;

/// <summary>
/// How a failure crosses the wire, in one table compiled into both ends: the status code for each
/// <see cref="NoKVErrorKind"/>, and for each exception type the constructor arguments that rebuild
/// it (same type, same message, same properties) at the client. The server puts an
/// <see cref="ErrorDetail"/> in the <see cref="TrailerKey"/> trailer; the client rethrows from it.
/// A type the table does not know still keeps its kind, message and transience.
/// </summary>
internal static class ErrorTable
{
    /// <summary>The binary trailer that carries the <see cref="ErrorDetail"/>.</summary>
    public const string TrailerKey = "nokv-error-bin";

    public static StatusCode StatusOf(NoKVErrorKind kind) => kind switch
    {
        NoKVErrorKind.NotFound => StatusCode.NotFound,
        NoKVErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        NoKVErrorKind.InvalidRequest => StatusCode.InvalidArgument,
        NoKVErrorKind.NotADirectory => StatusCode.FailedPrecondition,
        NoKVErrorKind.IsADirectory => StatusCode.FailedPrecondition,
        NoKVErrorKind.DirectoryNotEmpty => StatusCode.FailedPrecondition,
        NoKVErrorKind.ReadOnly => StatusCode.FailedPrecondition,
        NoKVErrorKind.Unrelated => StatusCode.FailedPrecondition,
        NoKVErrorKind.Locked => StatusCode.Unavailable,
        NoKVErrorKind.Corrupted => StatusCode.DataLoss,
        NoKVErrorKind.Unsupported => StatusCode.Unimplemented,
        NoKVErrorKind.TooLarge => StatusCode.OutOfRange,
        _ => StatusCode.Internal,
    };

    /// <summary>One exception type: the arguments that describe an instance, and how to rebuild it from them.</summary>
    private sealed record Codec(Type Type, Func<Exception, string[]> Encode, Func<string[], Exception> Decode);

    private static readonly Codec[] Codecs =
    [
        Of<WorkspaceNotFoundException>(e => [e.WorkspacePath], a => new WorkspaceNotFoundException(a[0])),
        Of<WorkspaceAlreadyExistsException>(e => [e.WorkspacePath], a => new WorkspaceAlreadyExistsException(a[0])),
        Of<WorkspaceNestingException>(e => [e.WorkspacePath, e.ExistingWorkspacePath], a => new WorkspaceNestingException(a[0], a[1])),
        Of<PathNotFoundException>(e => [e.Path], a => new PathNotFoundException(a[0])),
        Of<PathAlreadyExistsException>(e => [e.Path], a => new PathAlreadyExistsException(a[0])),
        Of<DirectoryNotEmptyException>(e => [e.Path], a => new DirectoryNotEmptyException(a[0])),
        Of<NotADirectoryException>(e => [e.Path, Int((int)e.ActualKind)], a => new NotADirectoryException(a[0], (NodeKind)ParseInt(a[1]))),
        Of<NotAFileException>(e => [e.Path, Int((int)e.ActualKind)], a => new NotAFileException(a[0], (NodeKind)ParseInt(a[1]))),
        Of<InvalidMoveException>(e => [e.From, e.To, Between(e.Message, $"Cannot move '{e.From}' to '{e.To}': ", ".")], a => new InvalidMoveException(a[0], a[1], a[2])),
        Of<OperationNotSupportedException>(e => [e.Path, e.Reason], a => new OperationNotSupportedException(a[0], a[1])),
        Of<FileTooLargeException>(e => [e.Path, Long(e.Length), Long(e.MaxLength)], a => new FileTooLargeException(a[0], ParseLong(a[1]), ParseLong(a[2]))),
        Of<ReadOnlySnapshotException>(e => [Long(e.SnapshotId)], a => new ReadOnlySnapshotException(ParseLong(a[0]))),
        Of<ReadOnlyWorkspaceException>(e => [e.WorkspacePath], a => new ReadOnlyWorkspaceException(a[0])),
        Of<SnapshotNotFoundException>(e => [Long(e.SnapshotId)], a => new SnapshotNotFoundException(ParseLong(a[0]))),
        Of<UnrelatedSnapshotException>(e => [e.TargetPath, Long(e.SnapshotId)], a => new UnrelatedSnapshotException(a[0], ParseLong(a[1]))),
        Of<UnrelatedWorkspacesException>(e => [e.ForkPath, e.TargetPath], a => new UnrelatedWorkspacesException(a[0], a[1])),
        Of<PathLimitExceededException>(e => [e.Path, BetweenLast(e.Message, "', which ", "; nothing was changed.")], a => new PathLimitExceededException(a[0], a[1])),
        Of<StoreLockedException>(e => [e.Directory, Owner(e)], a => new StoreLockedException(a[0], a[1].Length == 0 ? null : a[1])),
        Of<StoreFormatException>(e => [Int(e.StoreVersion), Int(e.SupportedVersion)], a => new StoreFormatException(ParseInt(a[0]), ParseInt(a[1]))),
        Of<StoreCorruptedException>(e => [e.Message], a => new StoreCorruptedException(a[0])),
        Of<WriteFailedException>(e => [e.Path, e.InnerException?.Message ?? ""], a => new WriteFailedException(a[0], new IOException(a[1]))),
        Of<DeferredCommitFailedException>(e => [e.InnerException?.Message ?? ""], a => new DeferredCommitFailedException(new IOException(a[0]))),
        Of<BlockMissingException>(e => [e.BlockKey], a => new BlockMissingException(a[0])),
        Of<BlockCorruptedException>(e => [e.BlockKey, Between(e.Message, $"Block '{e.BlockKey}' is corrupted: ", ".")], a => new BlockCorruptedException(a[0], a[1])),
        Of<BlockStoreException>(e => [e.Message, e.IsTransient ? "1" : "0"], a => new BlockStoreException(a[0], a[1] == "1")),
        // Not NoKVExceptions, but the caller's fault all the same: the CLI exits 2 on them.
        Of<InvalidPathException>(e => [e.InvalidPath ?? "", ReasonOf(e), e.ParamName ?? ""], a => new InvalidPathException(a[0], a[1], a[2].Length == 0 ? null : a[2])),
        Of<ArgumentException>(e => [e.Message], a => new ArgumentException(a[0])),
    ];

    /// <summary>The status and detail that describe <paramref name="exception"/> to a client.</summary>
    public static (StatusCode Status, ErrorDetail Detail) Describe(Exception exception)
    {
        var detail = new ErrorDetail { Type = exception.GetType().FullName ?? exception.GetType().Name, Message = exception.Message };
        var status = StatusCode.Internal;
        switch (exception)
        {
            case NoKVException nokv:
                detail.Kind = (int)nokv.ErrorKind;
                detail.Transient = nokv.IsTransient;
                status = StatusOf(nokv.ErrorKind);
                break;
            case ArgumentException:
                detail.Kind = (int)NoKVErrorKind.InvalidRequest;
                status = StatusCode.InvalidArgument;
                break;
        }
        // The exact type first; an ArgumentException subtype the table lacks travels as its base.
        var codec = Codecs.FirstOrDefault(c => c.Type == exception.GetType())
            ?? (exception is ArgumentException ? Codecs.First(c => c.Type == typeof(ArgumentException)) : null);
        if (codec is not null)
        {
            detail.Type = codec.Type.FullName!;
            detail.Args.AddRange(codec.Encode(exception));
        }
        return (status, detail);
    }

    /// <summary>The exception a detail describes: the same type when the table knows it, else one with the same kind and message.</summary>
    public static Exception Rebuild(ErrorDetail detail)
    {
        var codec = Codecs.FirstOrDefault(c => c.Type.FullName == detail.Type);
        if (codec is not null && detail.Args.Count > 0)
        {
            try
            {
                return codec.Decode([.. detail.Args]);
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
            {
                // A detail from a newer server with other arguments: keep kind and message below.
            }
        }
        return new RemoteNoKVException(detail.Message, (NoKVErrorKind)detail.Kind, detail.Transient, detail.Type);
    }

    private static Codec Of<T>(Func<T, string[]> encode, Func<string[], T> decode) where T : Exception =>
        new(typeof(T), e => encode((T)e), a => decode(a));

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    private static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);
    private static int ParseInt(string text) => int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    private static long ParseLong(string text) => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>The text between a known prefix and a suffix (the part of a message no property keeps).</summary>
    private static string Between(string message, string prefix, string suffix) =>
        message.StartsWith(prefix, StringComparison.Ordinal) && message.EndsWith(suffix, StringComparison.Ordinal) && message.Length >= prefix.Length + suffix.Length
            ? message[prefix.Length..^suffix.Length]
            : message;

    private static string BetweenLast(string message, string marker, string suffix)
    {
        var at = message.LastIndexOf(marker, StringComparison.Ordinal);
        return at >= 0 && message.EndsWith(suffix, StringComparison.Ordinal) && at + marker.Length <= message.Length - suffix.Length
            ? message[(at + marker.Length)..^suffix.Length]
            : message;
    }

    /// <summary>The owner text StoreLockedException puts in parentheses (it keeps no property for it).</summary>
    private static string Owner(StoreLockedException e)
    {
        var prefix = $"The store at {e.Directory} is already open (";
        const string suffix = "); a store has one owner at a time.";
        return e.Message.StartsWith(prefix, StringComparison.Ordinal) ? Between(e.Message, prefix, suffix) : "";
    }

    /// <summary>InvalidPathException's reason: after the quoted path and before the final period.</summary>
    private static string ReasonOf(InvalidPathException e)
    {
        var message = e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
        var at = message.LastIndexOf("': ", StringComparison.Ordinal);
        return at >= 0 && message.EndsWith('.') ? message[(at + 3)..^1] : message;
    }
}
