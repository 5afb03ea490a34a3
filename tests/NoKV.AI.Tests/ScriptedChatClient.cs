using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace NoKV.Tests;

/// <summary>
/// A model that replays a fixed script: each turn answers with the next batch of tool calls,
/// and after the last batch with a final text. It records every message it was sent, so a test
/// sees exactly what the function-invoking client fed back (the tool results and errors). An
/// argument object may be a <c>Func&lt;object&gt;</c>, evaluated when its turn comes, for a call
/// that uses an earlier result (a snapshot id), as a real model would.
/// </summary>
public sealed class ScriptedChatClient(IReadOnlyList<IReadOnlyList<(string Tool, object Arguments)>> turns, string finalText = "done") : IChatClient
{
    private int _turn;

    public List<ChatMessage> Received { get; } = [];

    /// <summary>The results the tools returned, in call order, keyed by the call id the script gave.</summary>
    public IEnumerable<FunctionResultContent> Results => Received.SelectMany(m => m.Contents).OfType<FunctionResultContent>().DistinctBy(r => r.CallId);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Received.Clear();
        Received.AddRange(messages);
        if (_turn == turns.Count) return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, finalText)));

        var turn = _turn++;
        var calls = turns[turn].Select((call, i) => (AIContent)new FunctionCallContent($"call-{turn}-{i}", call.Tool, ToArguments(call.Arguments is Func<object> later ? later() : call.Arguments)));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [.. calls])));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose() { }

    /// <summary>Arguments as a real model's come: JSON values parsed from the call's text.</summary>
    private static Dictionary<string, object?> ToArguments(object arguments) =>
        JsonSerializer.SerializeToElement(arguments).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
}
