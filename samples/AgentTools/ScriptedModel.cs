using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

/// <summary>
/// A stand-in for a real model: each turn it answers with the next batch of tool calls from its
/// script, then with a final sentence. Swap it for any IChatClient (OpenAI, Azure, Ollama…) and
/// the rest of the pipeline stays the same. An argument may be a Func&lt;IReadOnlyList&lt;string&gt;, object&gt;
/// that sees the tool results so far, as a model reading them would (a snapshot id, say).
/// </summary>
internal sealed class ScriptedModel(string name, IReadOnlyList<(string Tool, object Arguments)[]> turns, string summary) : IChatClient
{
    private int _turn;
    private readonly List<string> _results = [];

    public string Name => name;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Tool results come back in the messages; keep their text for later turns.
        _results.Clear();
        _results.AddRange(messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.Result?.ToString() ?? ""));
        if (_turn == turns.Count) return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, summary)));

        var turn = _turn++;
        var calls = turns[turn].Select((call, i) => (AIContent)new FunctionCallContent($"{name}-{turn}-{i}", call.Tool, Arguments(call.Arguments)));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [.. calls])));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() { }

    private Dictionary<string, object?> Arguments(object arguments)
    {
        var value = arguments is Func<IReadOnlyList<string>, object> later ? later(_results) : arguments;
        return JsonSerializer.SerializeToElement(value).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
    }
}
