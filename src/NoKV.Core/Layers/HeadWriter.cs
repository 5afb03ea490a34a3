using NoKV.Lmdb;

namespace NoKV.Layers;

/// <summary>
/// Writes records into a workspace's head layer inside one transaction: keeps the layer index
/// and record count, the generation reference counts, and writes a tombstone only where an
/// ancestor layer still shows the key (otherwise the head's own record is simply removed).
/// When a write first hides an ancestor's version, that version is queued for GC, which deletes
/// it once no live descendant sees it. Call <see cref="Complete"/> before committing.
/// </summary>
internal sealed class HeadWriter(MetaTxn txn, View view)
{
    private long _recordDelta;

    public MetaTxn Txn => txn;
    public View View => view;
    public long Head => view.Layer;

    /// <summary>Told every inode and entry written, when someone listens for workspace changes.</summary>
    public Engine.WorkspaceChangeRecorder? Changes { get; init; }

    public void PutInode(long ino, InodeRecord record)
    {
        Changes?.Inode(ino);
        var key = Keys.Inode(ino, Head);
        var existing = txn.Get(Db.Inodes, key);
        if (record.IsFile) GenerationTable.AddRef(txn, record.Generation);
        if (existing is not null)
        {
            ReleaseInode(InodeRecord.Decode(existing));
        }
        else
        {
            AddToIndex(Keys.IndexInode, key);
            QueueShadowed(Keys.IndexInode, ShadowedInode(ino)?.Layer ?? 0, l => Keys.Inode(ino, l));
        }
        txn.Put(Db.Inodes, key, record.Encode());
    }

    public void RemoveInode(long ino)
    {
        Changes?.Inode(ino);
        var key = Keys.Inode(ino, Head);
        var existing = txn.Get(Db.Inodes, key);
        if (existing is not null) ReleaseInode(InodeRecord.Decode(existing));
        // A tombstone is needed only where an ancestor still shows a live version.
        if (ShadowedInode(ino) is { Record.Kind: not RecordKind.Tombstone } below)
        {
            if (existing is null)
            {
                AddToIndex(Keys.IndexInode, key);
                QueueShadowed(Keys.IndexInode, below.Layer, l => Keys.Inode(ino, l));
            }
            txn.Put(Db.Inodes, key, InodeRecord.Tombstone.Encode());
        }
        else if (existing is not null)
        {
            txn.Delete(Db.Inodes, key);
            RemoveFromIndex(Keys.IndexInode, key);
        }
    }

    public void PutDentry(long parent, byte[] name, DentryRecord record)
    {
        Changes?.Entry(parent, name);
        var key = Keys.Dentry(parent, name, Head);
        if (!txn.Exists(Db.Dentries, key))
        {
            AddToIndex(Keys.IndexDentry, key);
            QueueShadowed(Keys.IndexDentry, ShadowedDentry(parent, name)?.Layer ?? 0, l => Keys.Dentry(parent, name, l));
        }
        txn.Put(Db.Dentries, key, record.Encode());
    }

    public void RemoveDentry(long parent, byte[] name)
    {
        Changes?.Entry(parent, name);
        var key = Keys.Dentry(parent, name, Head);
        var existed = txn.Exists(Db.Dentries, key);
        if (ShadowedDentry(parent, name) is { Record.Kind: not RecordKind.Tombstone } below)
        {
            if (!existed)
            {
                AddToIndex(Keys.IndexDentry, key);
                QueueShadowed(Keys.IndexDentry, below.Layer, l => Keys.Dentry(parent, name, l));
            }
            txn.Put(Db.Dentries, key, DentryRecord.Tombstone.Encode());
        }
        else if (existed)
        {
            txn.Delete(Db.Dentries, key);
            RemoveFromIndex(Keys.IndexDentry, key);
        }
    }

    /// <summary>Writes the head's new record count.</summary>
    public void Complete()
    {
        if (_recordDelta == 0) return;
        var layer = LayerTable.Get(txn, Head);
        LayerTable.Put(txn, Head, layer with { RecordCount = layer.RecordCount + _recordDelta });
        _recordDelta = 0;
    }

    /// <summary>The version the head's ancestors show for a key (what a head write hides), or null.</summary>
    private (long Layer, InodeRecord Record)? ShadowedInode(long ino) => view.Ancestors() is { } a ? NodeReader.InodeVersion(txn, a, ino) : null;

    private (long Layer, DentryRecord Record)? ShadowedDentry(long parent, byte[] name) => view.Ancestors() is { } a ? NodeReader.DentryVersion(txn, a, parent, name) : null;

    private void QueueShadowed(byte type, long layer, Func<long, byte[]> keyIn)
    {
        if (layer != 0) Gc.ShadowQueue.Enqueue(txn, Gc.ShadowQueue.Entry(layer, type, keyIn(layer)));
    }

    private void ReleaseInode(InodeRecord record)
    {
        if (record.IsFile) GenerationTable.Release(txn, record.Generation);
    }

    private void AddToIndex(byte type, byte[] key)
    {
        txn.Put(Db.LayerIndex, Keys.LayerIndex(Head, type, key), []);
        _recordDelta++;
    }

    private void RemoveFromIndex(byte type, byte[] key)
    {
        txn.Delete(Db.LayerIndex, Keys.LayerIndex(Head, type, key));
        _recordDelta--;
    }
}
