using System.Net;
using System.Net.Sockets;

namespace MlConnector.Engine.Tests.Http;

/// <summary>
/// A fact that stands up an off-list endpoint with <see cref="LoopbackServer.StartByHostName"/>: it needs this
/// machine's host name to resolve, and is skipped with that reason where it does not.
/// </summary>
public sealed class HostNameFactAttribute : FactAttribute
{
    public HostNameFactAttribute()
    {
        if (!Resolves()) Skip = $"This machine's host name '{Dns.GetHostName()}' does not resolve, so no off-list endpoint can be stood up here.";
    }

    private static bool Resolves()
    {
        try { return Dns.GetHostAddresses(Dns.GetHostName()).Length > 0; }
        catch (SocketException) { return false; }
    }
}
