namespace NoKV.Mount.FileSystem;

/// <summary>A name from the kernel longer than any NoKV name (255 UTF-8 bytes): ENAMETOOLONG.</summary>
internal sealed class NameTooLongException() : NoKVException($"A name is longer than {Paths.PathRules.MaxNameBytes} UTF-8 bytes.")
{
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.InvalidRequest;
}
