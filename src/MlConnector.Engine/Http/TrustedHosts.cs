using System.Text.RegularExpressions;

namespace MlConnector.Engine.Http;

/// <summary>
/// The hosts a secret or token may be sent to without the loudly named AllowUntrustedEndpoint opt-in: the
/// vendors' documented https hosts on the default port, and loopback (the sandbox). Hosts are compared in their
/// ASCII (IDN) form, whole, so look-alikes such as "…mktorest.com.example.net" or user-info tricks do not pass.
/// </summary>
public static partial class TrustedHosts
{
    /// <summary>Business Central's API host (Microsoft documents no other for API v2.0 online).</summary>
    public static IReadOnlyList<string> BusinessCentral { get; } = ["api.businesscentral.dynamics.com"];

    /// <summary>Microsoft Entra sign-in hosts: global, US Government, and China operated by 21Vianet.</summary>
    public static IReadOnlyList<string> EntraAuthorities { get; } = ["login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn"];

    /// <summary>What Marketo endpoints must look like: https://&lt;munchkin&gt;.mktorest.com/ (REST and identity alike).</summary>
    public const string MarketoPattern = "<munchkin-id>.mktorest.com";

    public static bool IsBusinessCentral(Uri uri) => IsVendorHost(uri) && Listed(uri, BusinessCentral);

    public static bool IsEntraAuthority(Uri uri) => IsVendorHost(uri) && Listed(uri, EntraAuthorities);

    /// <summary>An https Marketo host on the default port; when <paramref name="munchkinId"/> is given, that instance's host.</summary>
    public static bool IsMarketo(Uri uri, string? munchkinId)
    {
        if (!IsVendorHost(uri)) return false;
        var match = MarketoHost().Match(uri.IdnHost);
        return match.Success && (string.IsNullOrWhiteSpace(munchkinId) || string.Equals(match.Groups["munchkin"].Value, munchkinId.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The line a refusal or an opt-in warning shows for <paramref name="uri"/>: scheme, host and port only.</summary>
    public static string Show(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    private static bool IsVendorHost(Uri uri) => uri.IsAbsoluteUri && uri.Scheme == Uri.UriSchemeHttps && uri.IsDefaultPort && string.IsNullOrEmpty(uri.UserInfo);

    private static bool Listed(Uri uri, IReadOnlyList<string> hosts) => hosts.Contains(uri.IdnHost, StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"^(?<munchkin>\d{3}-[a-z0-9]{3}-\d{3})\.mktorest\.com$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MarketoHost();
}
