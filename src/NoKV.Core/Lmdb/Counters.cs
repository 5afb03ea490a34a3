using System.Text;

namespace NoKV.Lmdb;

/// <summary>Store-wide sequences kept in the meta database, advanced inside write transactions.</summary>
internal static class Counters
{
    public static readonly byte[] Workspace = Encoding.ASCII.GetBytes("seq.workspace");
    public static readonly byte[] Layer = Encoding.ASCII.GetBytes("seq.layer");
    public static readonly byte[] Pin = Encoding.ASCII.GetBytes("seq.pin");
    public static readonly byte[] Version = Encoding.ASCII.GetBytes("seq.version");
    public static readonly byte[] IdLimit = Encoding.ASCII.GetBytes("seq.id-limit");
    public static readonly byte[] CleanShutdown = Encoding.ASCII.GetBytes("state.clean-shutdown");

    /// <summary>Returns the next value of a sequence (the first is 1).</summary>
    public static long Next(MetaTxn txn, byte[] name)
    {
        var next = Current(txn, name) + 1;
        txn.Put(Db.Meta, name, BitConverter.GetBytes(next));
        return next;
    }

    /// <summary>The last value handed out (0 if none).</summary>
    public static long Current(MetaTxn txn, byte[] name)
    {
        var value = txn.Get(Db.Meta, name);
        return value is null ? 0 : BitConverter.ToInt64(value);
    }

    public static void Set(MetaTxn txn, byte[] name, long value) => txn.Put(Db.Meta, name, BitConverter.GetBytes(value));
}
