using System.Net.Http;
using System.Net.Sockets;

namespace MlConnector.Engine.Http;

/// <summary>Why a host could not be reached at all, when waiting and trying again will not change the answer.</summary>
public enum UnreachableReason
{
    /// <summary>The host name does not resolve (DNS: no such host).</summary>
    HostNotFound,

    /// <summary>The host answered and refused the connection (nothing listens on that port).</summary>
    ConnectionRefused,
}

/// <summary>
/// Tells transport failures that are permanent for the call (a name that does not resolve, a refused connection)
/// from transient ones (time-outs, resets, a DNS server that says "try again"). Permanent ones fail at once with a
/// hint instead of being retried for many seconds.
/// </summary>
public static class Unreachable
{
    public static UnreachableReason? Classify(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.HostNotFound or SocketError.NoData => UnreachableReason.HostNotFound,
                    SocketError.ConnectionRefused => UnreachableReason.ConnectionRefused,
                    _ => null,
                };
            }
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } http && http.InnerException is not SocketException)
                return UnreachableReason.HostNotFound;
        }
        return null;
    }

    public static bool IsPermanent(Exception? failure) => Classify(failure) is not null;

    /// <summary>The transport's own words, which name the host: "Name or service not known (host:443)".</summary>
    public static string Describe(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
            if (e is HttpRequestException) return e.Message;
        return failure.Message;
    }
}
