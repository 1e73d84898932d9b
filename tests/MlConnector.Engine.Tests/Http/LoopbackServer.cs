using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Http;

/// <summary>
/// A hand-written HTTP/1.1 server on loopback — plain, or TLS with the sandbox's certificate — that answers each
/// request as the test scripts it: the hostile answers the simulators never give (redirects, endless or cyclic
/// pages, huge bodies). One request per connection; every request is recorded, body included.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<LoopbackRequest, LoopbackResponse> _respond;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<LoopbackRequest> _requests = new();
    private readonly Task _accepting;
    private int _count;
    private int _connections;

    private LoopbackServer(Func<LoopbackRequest, LoopbackResponse> respond, bool https, bool byHostName)
    {
        _respond = respond;
        _certificate = https ? SandboxCertificate.ForProcess() : null;
        _listener = byHostName ? new TcpListener(IPAddress.IPv6Any, 0) : new TcpListener(IPAddress.Loopback, 0);
        if (byHostName) _listener.Server.DualMode = true;
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var host = byHostName ? Dns.GetHostName() : "127.0.0.1";
        BaseUri = new Uri(string.Create(CultureInfo.InvariantCulture, $"{(https ? "https" : "http")}://{host}:{port}/"));
        _accepting = AcceptAsync();
    }

    public static LoopbackServer Start(Func<LoopbackRequest, LoopbackResponse> respond, bool https = false) => new(respond, https, byHostName: false);

    /// <summary>
    /// A server reached by this machine's host name (listening on every local address): the same machine, but a
    /// name the endpoint policy cannot tell from any other host — the stand-in for an off-list endpoint.
    /// </summary>
    public static LoopbackServer StartByHostName(Func<LoopbackRequest, LoopbackResponse> respond) => new(respond, https: true, byHostName: true);

    public Uri BaseUri { get; }

    /// <summary>TCP connections accepted, whether or not a request followed (a refused TLS handshake counts).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>SHA-1 thumbprint of the certificate an https server presents (the sandbox's).</summary>
    public static string CertificateThumbprint => SandboxCertificate.ForProcess().Thumbprint;

    public IReadOnlyList<LoopbackRequest> Requests => _requests.ToArray();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                Stream stream = client.GetStream();
                if (_certificate is not null)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                    await tls.AuthenticateAsServerAsync(_certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
                    stream = tls;
                }
                await using (stream)
                {
                    var request = await ReadRequestAsync(stream, Interlocked.Increment(ref _count));
                    if (request is null) return;
                    _requests.Enqueue(request);
                    await _respond(request).WriteAsync(stream, _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
            {
                // The client went away (it refused a redirect, or stopped reading a huge body): nothing to do.
            }
        }
    }

    private static async Task<LoopbackRequest?> ReadRequestAsync(Stream stream, int number)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (await stream.ReadAsync(one) == 0) return null;
            head.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var start = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var body = "";
        if (headers.TryGetValue("Content-Length", out var length) && int.TryParse(length, CultureInfo.InvariantCulture, out var size) && size > 0)
        {
            var buffer = new byte[size];
            await stream.ReadExactlyAsync(buffer);
            body = Encoding.UTF8.GetString(buffer);
        }
        return new LoopbackRequest(number, start[0], start[1], headers, body);
    }

    private static bool EndsWithBlankLine(List<byte> head)
        => head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

/// <summary>One request as received: its sequence number on the server (1-based), request line, headers and body.</summary>
internal sealed record LoopbackRequest(int Number, string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Path => PathAndQuery.Split('?')[0];
}

/// <summary>A scripted answer: status, headers and a body written as text or as a long run of filler bytes.</summary>
internal sealed class LoopbackResponse
{
    private readonly int _status;
    private readonly IReadOnlyList<(string Name, string Value)> _headers;
    private readonly byte[] _body;
    private readonly long _fillerBytes;
    private readonly bool _declareLength;

    private LoopbackResponse(int status, IReadOnlyList<(string, string)> headers, byte[] body, long fillerBytes = 0, bool declareLength = true)
    {
        _status = status;
        _headers = headers;
        _body = body;
        _fillerBytes = fillerBytes;
        _declareLength = declareLength;
    }

    public static LoopbackResponse Json(string json, int status = 200)
        => new(status, [("Content-Type", "application/json; charset=utf-8")], Encoding.UTF8.GetBytes(json));

    /// <summary>A page as a proxy or a login portal sends it: text/html, whatever the status.</summary>
    public static LoopbackResponse Html(string html, int status = 200)
        => new(status, [("Content-Type", "text/html")], Encoding.UTF8.GetBytes(html));

    public static LoopbackResponse Redirect(int status, string location)
        => new(status, [("Location", location), ("Content-Type", "text/plain")], Encoding.ASCII.GetBytes("moved"));

    /// <summary>A JSON object of <paramref name="bytes"/> bytes streamed from one small buffer; without a declared length the body ends when the connection closes.</summary>
    public static LoopbackResponse Huge(long bytes, bool declareLength)
        => new(200, [("Content-Type", "application/json")], [], bytes, declareLength);

    public async Task WriteAsync(Stream stream, CancellationToken cancellationToken)
    {
        var length = _fillerBytes > 0 ? _fillerBytes : _body.Length;
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {_status} {Reason(_status)}\r\n");
        foreach (var (name, value) in _headers) head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        if (_declareLength) head.Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n");
        head.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken);
        if (_fillerBytes == 0)
        {
            await stream.WriteAsync(_body, cancellationToken);
        }
        else
        {
            var open = "{\"filler\":\""u8.ToArray();
            var close = "\"}"u8.ToArray();
            await stream.WriteAsync(open, cancellationToken);
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            for (var left = _fillerBytes - open.Length - close.Length; left > 0; left -= chunk.Length)
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)), cancellationToken);
            await stream.WriteAsync(close, cancellationToken);
        }
        await stream.FlushAsync(cancellationToken);
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        _ => "Status",
    };
}
