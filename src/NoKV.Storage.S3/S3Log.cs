using Microsoft.Extensions.Logging;

namespace NoKV.Storage.S3;

/// <summary>The S3 store's log messages. Keys and status codes only: never payloads or credentials.</summary>
internal static partial class S3Log
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "S3 {Operation} of '{Key}' failed (attempt {Attempt}), retrying in {DelayMs} ms: {Error}")]
    public static partial void Retrying(ILogger logger, string operation, string key, int attempt, long delayMs, string error);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "S3 {Operation} of '{Key}' failed after {Attempts} attempts")]
    public static partial void GaveUp(ILogger logger, Exception exception, string operation, string key, int attempts);
}
