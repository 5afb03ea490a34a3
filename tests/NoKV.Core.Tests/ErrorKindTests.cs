using System.Reflection;

namespace NoKV.Tests;

/// <summary>
/// Front ends map failures by <see cref="NoKVException.ErrorKind"/>, so every exception type must
/// say its kind; only failures outside the caller's request keep the default.
/// </summary>
public sealed class ErrorKindTests
{
    private static readonly HashSet<Type> FailuresOutsideTheRequest = [typeof(NoKVException), typeof(BlockStoreException), typeof(WriteFailedException)];

    [Fact]
    public void Every_exception_type_declares_its_kind_unless_it_is_a_plain_failure()
    {
        // The block store's exceptions live in NoKV.Abstractions, the rest in NoKV.Core.
        var types = new[] { typeof(NoKVException).Assembly, typeof(WorkspaceStore).Assembly }.Distinct()
            .SelectMany(a => a.GetTypes()).Where(t => typeof(NoKVException).IsAssignableFrom(t)).ToList();
        Assert.True(types.Count > 15, $"found only {types.Count} exception types");
        foreach (var type in types)
        {
            var declared = type.GetProperty(nameof(NoKVException.ErrorKind))!.DeclaringType;
            if (FailuresOutsideTheRequest.Contains(type)) Assert.Equal(typeof(NoKVException), declared);
            else Assert.True(declared == type, $"{type.Name} does not declare its ErrorKind");
        }
    }

    [Fact]
    public void Caller_errors_are_the_kinds_a_retry_cannot_fix()
    {
        Assert.True(new PathNotFoundException("/a").IsCallerError);
        Assert.True(new NotAFileException("/a").IsCallerError);
        Assert.True(new PathLimitExceededException("/a", "is too deep").IsCallerError);
        Assert.False(new StoreCorruptedException("damaged").IsCallerError);
        Assert.False(new StoreLockedException("/s", "pid 1").IsCallerError);
        Assert.False(new BlockStoreException("down", transient: true).IsCallerError);
        Assert.Equal(NoKVErrorKind.IsADirectory, new NotAFileException("/a").ErrorKind);
    }
}
