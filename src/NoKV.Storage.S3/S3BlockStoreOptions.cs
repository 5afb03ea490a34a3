namespace NoKV.Storage.S3;

/// <summary>
/// Where and how <see cref="S3BlockStore"/> keeps blocks. Credentials are not here: they come from
/// the standard AWS chain (environment, profile, instance or container role) and are never logged
/// or stored in the store.
/// </summary>
/// <remarks>
/// S3-compatible servers (MinIO, s3rver, Ceph, ...) usually need <see cref="ServiceUrl"/> and
/// <see cref="ForcePathStyle"/>. NoKV always sends PUTs without AWS chunked encoding (some
/// servers store the chunk framing as content) and computes checksums only where required.
/// </remarks>
public sealed class S3BlockStoreOptions
{
    /// <summary>The bucket (required; it must exist).</summary>
    public string? BucketName { get; set; }

    /// <summary>A key prefix for all blocks, e.g. "stores/prod/" (default: none; at most 512 bytes).</summary>
    public string Prefix { get; set; } = "";

    /// <summary>The endpoint of an S3-compatible server, e.g. "http://127.0.0.1:4569"; null for AWS.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The AWS region (e.g. "eu-west-1"); null to take it from the environment or profile.</summary>
    public string? Region { get; set; }

    /// <summary>Address buckets as https://host/bucket rather than https://bucket.host (most S3-compatible servers need this).</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>How many times a transient failure (timeout, 5xx, throttling, connection reset) is retried (default 4).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry's delay; each further retry doubles it, with jitter (default 100 ms).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long one request may take before it counts as a (transient) timeout (default 60 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    private const int MaxPrefixBytes = 1024 - BlockKeyRules.MaxKeyLength;

    internal S3BlockStoreOptions Validated()
    {
        if (string.IsNullOrWhiteSpace(BucketName)) throw new ArgumentException("S3BlockStoreOptions.BucketName is required.", nameof(BucketName));
        if (MaxRetries is < 0 or > 20) throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "MaxRetries must be between 0 and 20.");
        if (RetryBaseDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RetryBaseDelay), RetryBaseDelay, "RetryBaseDelay may not be negative.");
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "RequestTimeout must be positive.");
        var prefix = Prefix ?? "";
        if (prefix.Length > 0 && !prefix.EndsWith('/')) prefix += "/";
        // S3 object names are at most 1,024 bytes: the prefix leaves room for any valid block key.
        if (System.Text.Encoding.UTF8.GetByteCount(prefix) > MaxPrefixBytes)
            throw new ArgumentException($"S3BlockStoreOptions.Prefix may be at most {MaxPrefixBytes} bytes (UTF-8), so every block key fits in S3's 1,024-byte object names.", nameof(Prefix));
        return new S3BlockStoreOptions
        {
            BucketName = BucketName,
            Prefix = prefix,
            ServiceUrl = ServiceUrl,
            Region = Region,
            ForcePathStyle = ForcePathStyle,
            MaxRetries = MaxRetries,
            RetryBaseDelay = RetryBaseDelay,
            RequestTimeout = RequestTimeout,
        };
    }
}
