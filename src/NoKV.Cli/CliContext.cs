using System.CommandLine;
using System.Runtime.ExceptionServices;
using NoKV.Cli.Sessions;
using NoKV.Client;
using NoKV.Storage.S3;

namespace NoKV.Cli;

/// <summary>The global options every command shares, and the store they name.</summary>
internal sealed class CliContext
{
    public static readonly Option<string?> StoreOption = new("--store") { Description = "The store directory (default: $NOKV_STORE, else ./.nokv)", Recursive = true };
    public static readonly Option<string?> S3BucketOption = new("--s3-bucket") { Description = "Keep blocks in this S3 bucket (recorded by init)", Recursive = true };
    public static readonly Option<string?> S3PrefixOption = new("--s3-prefix") { Description = "Key prefix for blocks in the bucket", Recursive = true };
    public static readonly Option<string?> S3EndpointOption = new("--s3-endpoint") { Description = "An S3-compatible endpoint, e.g. http://127.0.0.1:9000 (path-style addressing)", Recursive = true };

    private readonly ParseResult _parse;

    public CliContext(ParseResult parse)
    {
        _parse = parse;
        StoreDirectory = Path.GetFullPath(parse.GetValue(StoreOption) ?? Environment.GetEnvironmentVariable("NOKV_STORE") ?? ".nokv");
    }

    public string StoreDirectory { get; }

    public bool StoreExists => Directory.Exists(Path.Combine(StoreDirectory, "meta"));

    /// <summary>The S3 settings from the flags, if any flag was given.</summary>
    public StoreConfig? S3FromFlags()
    {
        var bucket = _parse.GetValue(S3BucketOption);
        var prefix = _parse.GetValue(S3PrefixOption);
        var endpoint = _parse.GetValue(S3EndpointOption);
        if (bucket is null && prefix is null && endpoint is null) return null;
        if (bucket is null) throw new UsageException("--s3-prefix and --s3-endpoint need --s3-bucket.");
        return new StoreConfig { Blocks = "s3", S3Bucket = bucket, S3Prefix = prefix, S3Endpoint = endpoint };
    }

    /// <summary>Opens the existing store; a missing store is a usage error, never silently created.</summary>
    public async Task<WorkspaceStore> OpenAsync(CancellationToken cancellationToken, Durability durability = Durability.PerOperation)
    {
        if (!StoreExists) throw new UsageException($"no store at {StoreDirectory}; run 'nokv init' (or pass --store DIR)");
        var config = S3FromFlags() ?? StoreConfig.Load(StoreDirectory) ?? new StoreConfig();
        return await OpenWithAsync(config, cancellationToken, durability).ConfigureAwait(false);
    }

    /// <summary>
    /// The store for a command: opened here when it is free; when another process owns it
    /// (StoreLockedException) and serves nokv.sock, the same operations through that owner;
    /// when the owner does not serve, the lock error as before.
    /// </summary>
    public async Task<IStoreSession> OpenSessionAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new LocalSession(await OpenAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (StoreLockedException locked)
        {
            try
            {
                return new RemoteSession(await NoKVClient.ConnectAsync(StoreDirectory, cancellationToken: cancellationToken).ConfigureAwait(false));
            }
            catch (ServerUnavailableException)
            {
                ExceptionDispatchInfo.Throw(locked);
                throw;
            }
        }
    }

    public async Task<WorkspaceStore> OpenWithAsync(StoreConfig config, CancellationToken cancellationToken, Durability durability = Durability.PerOperation)
    {
        IBlockStore? blocks = null;
        if (config.Blocks == "s3")
        {
            blocks = await S3BlockStore.ConnectAsync(new S3BlockStoreOptions
            {
                BucketName = config.S3Bucket,
                Prefix = config.S3Prefix ?? "",
                ServiceUrl = config.S3Endpoint,
                ForcePathStyle = config.S3Endpoint is not null,
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        return WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = StoreDirectory, BlockStore = blocks, Durability = durability });
    }

    /// <summary>"@7" names snapshot 7; anything else is a store path.</summary>
    public static bool TryParseSnapshot(string text, out long id)
    {
        id = 0;
        if (!text.StartsWith('@')) return false;
        if (!long.TryParse(text.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id))
            throw new UsageException($"'{text}' is not a snapshot reference; use @ID, e.g. @7");
        return true;
    }
}
