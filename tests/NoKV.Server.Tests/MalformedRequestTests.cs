using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using NoKV.Client;
using NoKV.Protocol;

namespace NoKV.Tests;

/// <summary>Garbage, malformed and oversized requests get a status (or a closed connection) and the server goes on serving.</summary>
public sealed class MalformedRequestTests
{
    [Fact]
    public async Task Bytes_that_are_not_HTTP2_close_that_connection_only()
    {
        await using var s = await ServedStore.StartAsync();
        using (var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await raw.ConnectAsync(new UnixDomainSocketEndPoint(s.Server.SocketPath));
            var garbage = new byte[64 * 1024];
            new Random(5).NextBytes(garbage);
            try
            {
                await raw.SendAsync(garbage);
                var reply = new byte[1024];
                while (await raw.ReceiveAsync(reply) > 0) { }
            }
            catch (SocketException)
            {
                // Reset by the server: what it should do.
            }
        }
        await AssertServesAsync(s);
    }

    [Fact]
    public async Task A_message_that_is_not_protobuf_gets_a_status()
    {
        await using var s = await ServedStore.StartAsync();
        using var http = new HttpClient(Handler(s.Server.SocketPath));
        var frame = new byte[5 + 100];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), 100);
        new Random(9).NextBytes(frame.AsSpan(5));
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://nokv.local/nokv.v1.NoKVStore/Stat")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.Single()
            : response.Headers.GetValues("grpc-status").Single();
        Assert.NotEqual("0", status);
        await AssertServesAsync(s);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_ResourceExhausted_and_publishes_nothing()
    {
        await using var s = await ServedStore.StartAsync();
        s.Store.CreateWorkspace("/w");
        await using var big = await s.ConnectAsync(new NoKVClientOptions { WriteChunkSize = 2 * 1024 * 1024 }); // the server takes 1 MiB
        var ws = await big.OpenWorkspaceAsync("/w");
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            var output = await ws.OpenWriteAsync("/f");
            await using (output) await output.WriteAsync(new byte[2 * 1024 * 1024]);
        });
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.False(s.Store.OpenWorkspace("/w").Exists("/f"));
        await AssertServesAsync(s);
    }

    [Fact]
    public async Task Protocol_misuse_and_bad_fields_get_InvalidArgument()
    {
        await using var s = await ServedStore.StartAsync();
        s.Store.CreateWorkspace("/w");
        using var channel = GrpcChannel.ForAddress("http://nokv.local", new GrpcChannelOptions { HttpHandler = Handler(s.Server.SocketPath) });
        var stub = new NoKVStore.NoKVStoreClient(channel);

        using (var write = stub.Write())
        {
            await write.RequestStream.WriteAsync(new WriteRequest { Data = Google.Protobuf.ByteString.CopyFromUtf8("no header") });
            await write.RequestStream.CompleteAsync();
            var e = await Assert.ThrowsAsync<RpcException>(() => write.ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        }
        var noTarget = await Assert.ThrowsAsync<RpcException>(async () => await stub.StatAsync(new NodeRequest { Path = "/" }));
        Assert.Equal(StatusCode.InvalidArgument, noTarget.StatusCode);
        var badEnum = await Assert.ThrowsAsync<RpcException>(async () => await stub.CollectGarbageAsync(new GcRequest { Mode = 77 }));
        Assert.Equal(StatusCode.InvalidArgument, badEnum.StatusCode);
        var badTime = await Assert.ThrowsAsync<RpcException>(async () => await stub.SetLastWriteTimeAsync(new SetTimeRequest { Workspace = "/w", Path = "/", Ticks = long.MaxValue }));
        Assert.Equal(StatusCode.InvalidArgument, badTime.StatusCode);
        await Assert.ThrowsAsync<ArgumentException>(() => s.Client.CreateWorkspaceAsync(""));
        await AssertServesAsync(s);
    }

    private static SocketsHttpHandler Handler(string socketPath) => new()
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    private static async Task AssertServesAsync(ServedStore s)
    {
        await using var fresh = await s.ConnectAsync();
        var ws = await fresh.CreateWorkspaceAsync("/after-" + Guid.NewGuid().ToString("N")[..6]);
        await ws.WriteAllBytesAsync("/ok", "ok"u8.ToArray());
        Assert.Equal("ok"u8.ToArray(), await ws.ReadAllBytesAsync("/ok"));
    }
}
