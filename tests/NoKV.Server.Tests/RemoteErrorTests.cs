using Grpc.Core;
using NoKV.Client;
using NoKV.Protocol;

namespace NoKV.Tests;

/// <summary>
/// A failure at the owner reaches the client as the same exception: same type, same message,
/// same kind, for every error kind the API can produce on a real store, and through the table
/// for every exception type NoKV has.
/// </summary>
public sealed class RemoteErrorTests
{
    public static TheoryData<string> Cases => new()
    {
        "workspace not found", "path not found", "snapshot not found", "workspace exists", "path exists",
        "nesting", "move into itself", "invalid path", "not a directory", "is a directory", "directory not empty",
        "unrelated snapshot", "unrelated workspaces", "mode of a link", "file too large",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_failure_at_the_owner_is_the_same_typed_exception_at_the_client(string name)
    {
        await using var s = await ServedStore.StartAsync(o => o.MaxFileSize = 100);
        var store = s.Store;
        var c = s.Client;
        var local = store.CreateWorkspace("/w");
        local.CreateDirectory("/dir/sub");
        await local.WriteAllBytesAsync("/file", "x"u8.ToArray());
        local.CreateSymbolicLink("/link", "file");
        store.CreateWorkspace("/other");
        var otherPin = store.Snapshot("/other");
        var remote = await c.OpenWorkspaceAsync("/w");

        (Action InProcess, Func<Task> Remote, NoKVErrorKind Kind) test = name switch
        {
            "workspace not found" => (() => store.OpenWorkspace("/missing"), () => c.OpenWorkspaceAsync("/missing"), NoKVErrorKind.NotFound),
            "path not found" => (() => local.Stat("/missing"), () => remote.StatAsync("/missing"), NoKVErrorKind.NotFound),
            "snapshot not found" => (() => store.GetSnapshot(999), () => c.GetSnapshotAsync(999), NoKVErrorKind.NotFound),
            "workspace exists" => (() => store.CreateWorkspace("/w"), () => c.CreateWorkspaceAsync("/w"), NoKVErrorKind.AlreadyExists),
            "path exists" => (() => local.CreateSymbolicLink("/file", "x"), () => remote.CreateSymbolicLinkAsync("/file", "x"), NoKVErrorKind.AlreadyExists),
            "nesting" => (() => store.CreateWorkspace("/w/inner"), () => c.CreateWorkspaceAsync("/w/inner"), NoKVErrorKind.InvalidRequest),
            "move into itself" => (() => local.Move("/dir", "/dir/sub/x"), () => remote.MoveAsync("/dir", "/dir/sub/x"), NoKVErrorKind.InvalidRequest),
            "invalid path" => (() => local.Stat("no-slash"), () => remote.StatAsync("no-slash"), NoKVErrorKind.InvalidRequest),
            "not a directory" => (() => local.CreateDirectory("/file/sub"), () => remote.CreateDirectoryAsync("/file/sub"), NoKVErrorKind.NotADirectory),
            "is a directory" => (() => local.OpenRead("/dir").Dispose(), () => remote.ReadAllBytesAsync("/dir"), NoKVErrorKind.IsADirectory),
            "directory not empty" => (() => local.Delete("/dir"), () => remote.DeleteAsync("/dir"), NoKVErrorKind.DirectoryNotEmpty),
            "unrelated snapshot" => (() => store.Rollback("/w", otherPin.Id), () => c.RollbackAsync("/w", otherPin.Id), NoKVErrorKind.Unrelated),
            "unrelated workspaces" => (() => store.Promote("/other", "/w"), () => c.PromoteAsync("/other", "/w"), NoKVErrorKind.Unrelated),
            "mode of a link" => (() => local.SetUnixFileMode("/link", UnixFileMode.UserRead), () => remote.SetUnixFileModeAsync("/link", UnixFileMode.UserRead), NoKVErrorKind.Unsupported),
            "file too large" => (() => local.TruncateAsync("/file", 1000).GetAwaiter().GetResult(), () => remote.TruncateAsync("/file", 1000), NoKVErrorKind.TooLarge),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        var expected = Assert.ThrowsAny<Exception>(test.InProcess);
        var actual = await Assert.ThrowsAnyAsync<Exception>(test.Remote);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Message, actual.Message);
        var kind = expected is NoKVException nokv ? nokv.ErrorKind : NoKVErrorKind.InvalidRequest;
        Assert.Equal(test.Kind, kind);
        if (actual is NoKVException remoteNoKV) Assert.Equal(kind, remoteNoKV.ErrorKind);
    }

    /// <summary>One instance of every exception type the owner can throw, covering every error kind.</summary>
    public static IEnumerable<Exception> Samples() =>
    [
        new WorkspaceNotFoundException("/w"), new WorkspaceAlreadyExistsException("/w"), new WorkspaceNestingException("/w/x", "/w"),
        new PathNotFoundException("/a"), new PathAlreadyExistsException("/a"), new DirectoryNotEmptyException("/d"),
        new NotADirectoryException("/f"), new NotADirectoryException("/l", NodeKind.SymbolicLink),
        new NotAFileException("/d"), new NotAFileException("/l", NodeKind.SymbolicLink),
        new InvalidMoveException("/a", "/a/b", "a directory cannot move into itself"),
        new OperationNotSupportedException("/l", "no hard links"), new FileTooLargeException("/f", 10, 5),
        new ReadOnlySnapshotException(7), new ReadOnlyWorkspaceException("/base"), new SnapshotNotFoundException(8), new UnrelatedSnapshotException("/w", 9),
        new UnrelatedWorkspacesException("/a", "/b"), new PathLimitExceededException("/" + new string('a', 300), "is longer than 4,095 bytes"),
        new StoreLockedException("/store", "pid 42"), new StoreLockedException("/store", null),
        new StoreFormatException(9, 3), new StoreCorruptedException("the layers table is damaged"),
        new WriteFailedException("/f", new IOException("disk full")), new DeferredCommitFailedException(new IOException("fsync failed")),
        new BlockMissingException("blocks/1/2/3/0"), new BlockCorruptedException("blocks/1/2/3/0", "checksum mismatch"),
        new BlockStoreException("S3 timed out", transient: true), new BlockStoreException("bucket gone", transient: false),
        new InvalidPathException("a\0b", "contains a NUL byte", "path"), new ArgumentException("mode is required"),
    ];

    public static TheoryData<int> SampleIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Samples().Count(); i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Every_exception_type_is_rebuilt_with_its_type_message_and_properties(int index)
    {
        var original = Samples().ElementAt(index);
        var (status, detail) = ErrorTable.Describe(original);
        var rebuilt = ErrorTable.Rebuild(ErrorDetail.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(detail)));

        Assert.Equal(original.GetType(), rebuilt.GetType());
        Assert.Equal(original.Message, rebuilt.Message);
        if (original is NoKVException nokv)
        {
            var copy = (NoKVException)rebuilt;
            Assert.Equal(nokv.ErrorKind, copy.ErrorKind);
            Assert.Equal(nokv.IsTransient, copy.IsTransient);
            Assert.Equal(ErrorTable.StatusOf(nokv.ErrorKind), status);
        }
        else
        {
            Assert.Equal(StatusCode.InvalidArgument, status);
        }
        // Every public property that describes the failure survives (Path, SnapshotId, ...).
        foreach (var property in original.GetType().GetProperties().Where(p => p.DeclaringType == original.GetType() && p.PropertyType.IsValueType | p.PropertyType == typeof(string)))
            Assert.Equal(property.GetValue(original), property.GetValue(rebuilt));
    }

    [Fact]
    public void Every_error_kind_has_a_sample_and_its_own_status()
    {
        var kinds = Samples().OfType<NoKVException>().Select(e => e.ErrorKind).ToHashSet();
        foreach (var kind in Enum.GetValues<NoKVErrorKind>())
        {
            Assert.Contains(kind, kinds);
            Assert.True(kind == NoKVErrorKind.Failure || ErrorTable.StatusOf(kind) != StatusCode.Internal, $"{kind} maps to Internal");
        }
    }

    [Fact]
    public void An_exception_type_the_client_does_not_know_keeps_its_kind_message_and_transience()
    {
        var detail = new ErrorDetail { Type = "NoKV.SomethingNewException", Message = "new", Kind = (int)NoKVErrorKind.Locked, Transient = true };
        var rebuilt = Assert.IsAssignableFrom<NoKVException>(ErrorTable.Rebuild(detail));
        Assert.Equal(("new", NoKVErrorKind.Locked, true), (rebuilt.Message, rebuilt.ErrorKind, rebuilt.IsTransient));
    }

    [Fact]
    public async Task A_cancelled_call_is_an_OperationCanceledException()
    {
        await using var s = await ServedStore.StartAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s.Client.ListWorkspacesAsync(cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s.Client.CreateWorkspaceAsync("/x", cancelled.Token));
        Assert.False(s.Store.WorkspaceExists("/x"));
    }

    [Fact]
    public async Task Connecting_where_nobody_serves_is_a_ServerUnavailableException()
    {
        var directory = ServedStore.NewDirectory();
        try
        {
            var e = await Assert.ThrowsAsync<ServerUnavailableException>(() => NoKVClient.ConnectAsync(directory));
            Assert.True(e.IsTransient);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
