using System.Diagnostics.CodeAnalysis;
using LightningDB;

namespace NoKV.Lmdb;

/// <summary>
/// The one place LMDB result codes and LightningDB exceptions become NoKV exceptions, so no
/// LightningDB type escapes NoKV.Core: damage to the file is <see cref="StoreCorruptedException"/>,
/// a full map says how to grow it, anything else is a <see cref="NoKVException"/> naming the code.
/// </summary>
internal static class LmdbErrors
{
    /// <summary>Throws the NoKV exception for <paramref name="rc"/> unless it is success.</summary>
    public static void Check(MDBResultCode rc)
    {
        if (rc != MDBResultCode.Success) Throw(rc);
    }

    [DoesNotReturn]
    public static void Throw(MDBResultCode rc) => throw From(rc, null);

    /// <summary>The NoKV exception for a LightningDB exception (which carries LMDB's code).</summary>
    public static NoKVException From(LightningException e) => From((MDBResultCode)e.StatusCode, e);

    private static NoKVException From(MDBResultCode rc, Exception? inner) => rc switch
    {
        MDBResultCode.MapFull =>
            new NoKVException("The metadata store is full; open the store with a larger WorkspaceStoreOptions.MaxMetadataSize.", inner),
        MDBResultCode.Corrupted or MDBResultCode.PageNotFound or MDBResultCode.Invalid or MDBResultCode.VersionMismatch
            or MDBResultCode.BadChecksum or MDBResultCode.Incompatible =>
            new StoreCorruptedException($"The store's metadata file is damaged (LMDB: {Describe(rc)}); restore the store's meta directory from a backup.", inner),
        _ => new NoKVException($"The metadata store failed (LMDB: {Describe(rc)}).", inner),
    };

    private static string Describe(MDBResultCode rc) => Enum.IsDefined(rc) ? $"{rc}, code {(int)rc}" : $"code {(int)rc}";
}
