using Microsoft.Extensions.Options;

namespace NoKV;

/// <summary>
/// Validates the registered store's settings when the host starts (AddNoKV asks for
/// ValidateOnStart), by the same rules <see cref="WorkspaceStore.Open(WorkspaceStoreOptions)"/>
/// applies, on the settings as the store will get them (bound values plus the builder's
/// adjustments). Each failure names its configuration key ("NoKV:ChunkSize ...").
/// </summary>
internal sealed class NoKVOptionsValidator(NoKVRegistration registration) : IValidateOptions<NoKVOptions>
{
    public ValidateOptionsResult Validate(string? name, NoKVOptions options)
    {
        if (name != Options.DefaultName) return ValidateOptionsResult.Skip;
        var problems = registration.Compose(options).FindProblems();
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"{NoKVOptions.SectionName}:{p.Option} {p.Rule} (was '{p.Value}')"));
    }
}
