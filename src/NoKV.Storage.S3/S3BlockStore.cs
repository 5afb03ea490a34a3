using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NoKV.Storage.S3;

/// <summary>
/// Blocks as objects in an S3 bucket (AWS or S3-compatible), under an optional key prefix; the
/// metadata stays in the store's local LMDB. Reads use ranged GETs. Transient failures are
/// retried with backoff (see <see cref="S3BlockStoreOptions.MaxRetries"/>); a PUT that still
/// fails fails the write stream's Dispose, and the file's previous version stays. A missing bucket or
/// refused credentials fail every call with a <see cref="BlockStoreException"/> that says so.
/// </summary>
/// <remarks>
/// No <see cref="IBlockStoreMaintenance"/>: a PUT is one request that S3 applies whole or not at
/// all, so an interrupted write leaves nothing behind but, at worst, a whole orphan block, which
/// NoKV's garbage collection finds through its metadata.
/// </remarks>
public sealed class S3BlockStore : IBlockStore, IDisposable
{
    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly S3BlockStoreOptions _options;
    private readonly S3Retry _retry;
    private int _disposed;

    /// <summary>Uses a client you configured. Call <see cref="CheckAccessAsync"/> to fail fast on a missing bucket or bad credentials.</summary>
    public S3BlockStore(IAmazonS3 client, S3BlockStoreOptions options, ILogger<S3BlockStore>? logger = null)
        : this(client, options, ownsClient: false, logger)
    {
    }

    private S3BlockStore(IAmazonS3 client, S3BlockStoreOptions options, bool ownsClient, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _ownsClient = ownsClient;
        _options = options.Validated();
        _retry = new S3Retry(_options, logger ?? NullLogger.Instance);
    }

    /// <summary>The bucket blocks live in.</summary>
    public string BucketName => _options.BucketName!;

    /// <summary>The key prefix under which blocks live ("" or ending in '/').</summary>
    public string Prefix => _options.Prefix;

    /// <summary>
    /// Creates a client from the options and the standard AWS credential chain, and checks that
    /// the bucket exists and is accessible, so a bad setup fails here rather than on first write.
    /// </summary>
    /// <exception cref="BlockStoreException">The bucket does not exist, access is denied, or the server cannot be reached.</exception>
    public static async Task<S3BlockStore> ConnectAsync(S3BlockStoreOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validated = options.Validated();
        var store = Create(validated, loggerFactory);
        try
        {
            await store.CheckAccessAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>The settings S3 and S3-compatible servers need: no SDK retries (ours apply), path style if asked, checksums only where required.</summary>
    public static AmazonS3Config CreateClientConfig(S3BlockStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            MaxErrorRetry = 0,
            Timeout = options.RequestTimeout,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is not null) config.ServiceURL = options.ServiceUrl;
        if (options.Region is not null)
        {
            if (options.ServiceUrl is not null) config.AuthenticationRegion = options.Region;
            else config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        return config;
    }

    private static AmazonS3Client CreateClient(S3BlockStoreOptions options) => new(CreateClientConfig(options));

    /// <summary>A store with a client of its own, unchecked: no request is sent until the first operation.</summary>
    internal static S3BlockStore Create(S3BlockStoreOptions options, ILoggerFactory? loggerFactory)
    {
        var validated = options.Validated();
        return new S3BlockStore(CreateClient(validated), validated, ownsClient: true, loggerFactory?.CreateLogger<S3BlockStore>());
    }

    /// <summary>Checks that the bucket exists and these credentials may list it.</summary>
    /// <exception cref="BlockStoreException">It does not, or they may not.</exception>
    public async Task CheckAccessAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(cancellationToken);
        try
        {
            await _retry.RunAsync("access check", BucketName, ct =>
                _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = BucketName, Prefix = Prefix, MaxKeys = 1 }, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (BlockStoreException e) when (e.InnerException is AmazonServiceException service)
        {
            var reason = S3Retry.ExplainSetupError(service, BucketName) ?? e.Message;
            throw new BlockStoreException($"S3 block store unusable: {reason}.", e.IsTransient, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        BlockKeyRules.ValidateKey(key);
        ThrowIfUnusable(cancellationToken);
        var segment = MemoryMarshal.TryGetArray(data, out var array) ? array : new ArraySegment<byte>(data.ToArray());
        await _retry.RunAsync("PUT", key, ct => _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = BucketName,
            Key = Prefix + key,
            InputStream = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false),
            AutoCloseStream = true,
            // Required for S3-compatible servers that store AWS chunk framing as content.
            UseChunkEncoding = false,
        }, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        BlockKeyRules.ValidateKey(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ThrowIfUnusable(cancellationToken);
        if (destination.IsEmpty)
        {
            // A ranged GET cannot ask for zero bytes; the contract still says whether the block is there.
            return await ExistsCoreAsync(key, cancellationToken).ConfigureAwait(false) ? 0 : throw new BlockMissingException(key);
        }
        return await _retry.RunAsync("GET", key, async ct =>
        {
            try
            {
                using var response = await _client.GetObjectAsync(new GetObjectRequest
                {
                    BucketName = BucketName,
                    Key = Prefix + key,
                    ByteRange = new ByteRange(offset, offset + destination.Length - 1),
                }, ct).ConfigureAwait(false);
                var total = 0;
                while (total < destination.Length)
                {
                    var n = await response.ResponseStream.ReadAsync(destination[total..], ct).ConfigureAwait(false);
                    if (n == 0) break;
                    total += n;
                }
                return total;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                throw new BlockMissingException(key, e);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                return 0; // offset at or past the end of the block
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        BlockKeyRules.ValidateKey(key);
        ThrowIfUnusable(cancellationToken);
        // S3 deletes answer 204 whether or not the key existed; GC reports what it reclaimed, so ask first.
        if (!await ExistsCoreAsync(key, cancellationToken).ConfigureAwait(false)) return false;
        await _retry.RunAsync("DELETE", key, ct => _client.DeleteObjectAsync(BucketName, Prefix + key, ct), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        BlockKeyRules.ValidateKey(key);
        ThrowIfUnusable(cancellationToken);
        return await ExistsCoreAsync(key, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken) =>
        await _retry.RunAsync("HEAD", key, async ct =>
        {
            try
            {
                await _client.GetObjectMetadataAsync(BucketName, Prefix + key, ct).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public IAsyncEnumerable<BlockInfo> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        // Checked here, not on the first MoveNext, so a bad prefix fails at the call like the other operations.
        BlockKeyRules.ValidatePrefix(prefix);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ListCoreAsync(prefix, cancellationToken);
    }

    // S3's own LIST prefix is a plain string prefix, which is the contract's rule as it stands.
    private async IAsyncEnumerable<BlockInfo> ListCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            ThrowIfUnusable(cancellationToken);
            var page = await _retry.RunAsync("LIST", prefix, ct => _client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = BucketName,
                Prefix = Prefix + prefix,
                ContinuationToken = token,
            }, ct), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new BlockInfo(item.Key[Prefix.Length..], item.Size ?? 0, (item.LastModified ?? DateTime.UtcNow).ToUniversalTime());
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
    }

    /// <summary>Closes the store (every later call throws <see cref="ObjectDisposedException"/>) and disposes the client if this store created it. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_ownsClient) _client.Dispose();
    }

    /// <inheritdoc cref="Dispose" />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void ThrowIfUnusable(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
