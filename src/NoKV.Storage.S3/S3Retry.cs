using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;

namespace NoKV.Storage.S3;

/// <summary>
/// Runs an S3 call, retrying transient failures (timeouts, 5xx, throttling, dropped connections)
/// with exponential backoff and jitter. Anything else fails at once; NoKV's own exceptions (a
/// missing block) pass through untouched. The SDK's own retries are off, so this is the one
/// place retry behaviour lives.
/// </summary>
internal sealed class S3Retry(S3BlockStoreOptions options, ILogger logger)
{
    public async Task<T> RunAsync<T>(string operation, string key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (NoKVException)
            {
                throw;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                if (attempt > options.MaxRetries)
                {
                    S3Log.GaveUp(logger, e, operation, key, attempt);
                    throw new BlockStoreException($"S3 {operation} of '{key}' failed after {attempt} attempts: {Describe(e)}", transient: true, e);
                }
                var delay = Backoff(attempt);
                S3Log.Retrying(logger, operation, key, attempt, (long)delay.TotalMilliseconds, Describe(e));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonServiceException e)
            {
                var setup = ExplainSetupError(e, options.BucketName!) is { } reason ? $" ({reason})" : "";
                throw new BlockStoreException($"S3 {operation} of '{key}' was refused: {Describe(e)}{setup}", transient: false, e);
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var baseMs = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        return TimeSpan.FromMilliseconds(Math.Min(baseMs * (0.5 + Random.Shared.NextDouble() / 2), 20_000));
    }

    public static bool IsTransient(Exception e, CancellationToken cancellationToken)
    {
        if (e is OperationCanceledException) return !cancellationToken.IsCancellationRequested; // a timeout, not our caller
        if (e is AmazonServiceException service)
        {
            var status = (int)service.StatusCode;
            if (status >= 500 || service.StatusCode == HttpStatusCode.TooManyRequests) return true;
            if (service.ErrorCode is "SlowDown" or "RequestTimeout" or "InternalError" or "ServiceUnavailable") return true;
            if (status == 0) return service.InnerException is not null && IsTransient(service.InnerException, cancellationToken);
            return false;
        }
        if (e is HttpRequestException or IOException or SocketException or TimeoutException) return true;
        return e.InnerException is not null && IsTransient(e.InnerException, cancellationToken);
    }

    /// <summary>What a refusal says about the setup (no bucket, bad credentials), in words a user can act on; null for anything else.</summary>
    public static string? ExplainSetupError(AmazonServiceException e, string bucket) => e.ErrorCode switch
    {
        "NoSuchBucket" => $"bucket '{bucket}' does not exist",
        "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "ExpiredToken" =>
            $"access to bucket '{bucket}' was denied; check the AWS credentials (environment, profile or role)",
        _ => null,
    };

    public static string Describe(Exception e) => e is AmazonServiceException s
        ? $"{(int)s.StatusCode} {s.ErrorCode}".Trim()
        : $"{e.GetType().Name}: {e.Message}";
}
