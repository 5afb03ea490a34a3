namespace NoKV.AI;

/// <summary>A call the tools refuse (not unique, not taken by these tools, a limit): its message goes back to the model.</summary>
internal sealed class ToolException(string message) : Exception(message);
