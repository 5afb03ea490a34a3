using NoKV.AI;

namespace NoKV.Tests;

/// <summary>The options are validated where they are set, and the declarations match the tools.</summary>
public sealed class WorkspaceToolOptionsTests
{
    [Fact]
    public void Limits_below_their_minimum_are_refused()
    {
        var options = new WorkspaceToolOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxReadBytes = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxResultChars = 255);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxSearchMatches = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxWriteBytes = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxVisitedEntries = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxHunkFileBytes = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.RegexTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.RegexTimeout = TimeSpan.FromMinutes(2));
        Assert.Equal(64 * 1024, options.MaxReadBytes);
        Assert.Equal(20_000, options.MaxResultChars);
    }

    [Fact]
    public void Declarations_describe_exactly_the_tools_create_makes()
    {
        using var fork = new AgentFork();
        Assert.Equal(fork.Tools.Select(t => (t.Name, t.Description, t.JsonSchema.GetRawText())),
            WorkspaceTools.Declarations.Select(d => (d.Name, d.Description, d.JsonSchema.GetRawText())));
    }

    [Fact]
    public void Create_refuses_a_null_workspace() =>
        Assert.Throws<ArgumentNullException>(() => WorkspaceTools.Create(null!));
}
