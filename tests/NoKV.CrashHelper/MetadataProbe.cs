using System.Security.Cryptography;
using System.Text;

namespace NoKV.Tests;

/// <summary>
/// The helper's "probe" mode, for the damaged-metadata tests: a damaged LMDB file can kill the
/// process that maps it (SIGBUS), so the tests open damaged stores here, never in the test host.
/// Prints one line: "ok DIGEST" (a digest of every workspace's tree and bytes), or the NoKV
/// exception's type and message; any other exception is printed as "unexpected" with exit code 4.
/// </summary>
public static class MetadataProbe
{
    public const int UnexpectedException = 4;

    /// <summary>Opens the store, reads everything and, with <paramref name="fullGc"/>, runs a full GC (grace period 0).</summary>
    public static int Run(string storeDirectory, bool fullGc)
    {
        try
        {
            using var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = storeDirectory, ChunkSize = Workload.ChunkSize, OrphanGracePeriod = TimeSpan.Zero });
            var digest = Digest(store);
            if (fullGc) store.CollectGarbage(GcMode.Full);
            Console.WriteLine($"ok {digest}");
            return 0;
        }
        catch (NoKVException e)
        {
            Console.WriteLine($"{e.GetType().Name}: {e.Message}");
            return 0;
        }
#pragma warning disable CA1031 // the probe reports every other failure; that is its job
        catch (Exception e)
#pragma warning restore CA1031
        {
            // The whole exception, stack included: a failing case is often seen only in CI's log.
            Console.WriteLine($"unexpected {e}");
            return UnexpectedException;
        }
    }

    /// <summary>A digest of every workspace: its path and, for every node, its path, kind and bytes.</summary>
    public static string Digest(WorkspaceStore store)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var info in store.ListWorkspaces().OrderBy(w => w.Path, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"workspace {info.Path}\n"));
            var ws = store.OpenWorkspace(info.Path);
            AddTree(hash, ws, "/");
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static void AddTree(IncrementalHash hash, Workspace ws, string directory)
    {
        foreach (var node in ws.List(directory).OrderBy(n => n.Path, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{node.Kind} {node.Path}\n"));
            if (node.Kind == NodeKind.Directory) AddTree(hash, ws, node.Path);
            else hash.AppendData(ws.ReadAllBytesAsync(node.Path).GetAwaiter().GetResult());
        }
    }
}
