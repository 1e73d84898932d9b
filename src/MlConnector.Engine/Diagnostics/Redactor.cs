using System.Text.RegularExpressions;

namespace MlConnector.Engine.Diagnostics;

/// <summary>
/// Removes credentials from text that may reach logs, errors or audit: bearer tokens, JWTs, secrets in query strings
/// (a SAS signature too), form and JSON bodies, bare Marketo access tokens and storage connection strings.
/// </summary>
public static partial class Redactor
{
    public const string Mask = "***";

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? string.Empty;
        text = BearerPattern().Replace(text, "Bearer " + Mask);
        text = JwtPattern().Replace(text, Mask);
        text = MarketoTokenPattern().Replace(text, Mask);
        text = SecretParameterPattern().Replace(text, m => m.Groups["name"].Value + "=" + Mask);
        text = SecretJsonPattern().Replace(text, m => "\"" + m.Groups["name"].Value + "\":\"" + Mask + "\"");
        text = ConnectionStringSecretPattern().Replace(text, m => m.Groups["name"].Value + "=" + Mask);
        return text;
    }

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9\-\._~\+/=:]+", RegexOptions.IgnoreCase)]
    private static partial Regex BearerPattern();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")]
    private static partial Regex JwtPattern();

    /// <summary>
    /// A Marketo access token: a GUID, ':' (or its URL encoding) and a short pod tag such as "int" or "st"
    /// (shared/api/marketo.md §1). The tag is what sets it apart from the GUIDs that must stay readable
    /// (record ids, correlation ids), which are never followed by ':' and letters.
    /// </summary>
    [GeneratedRegex(@"(?<![0-9A-Za-z-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?::|%3[Aa])[A-Za-z][A-Za-z0-9]{1,7}(?![0-9A-Za-z])")]
    private static partial Regex MarketoTokenPattern();

    [GeneratedRegex(@"\b(?<name>client_secret|access_token|refresh_token|client_assertion|password|clientState|sig)=[^&\s""]+", RegexOptions.IgnoreCase)]
    private static partial Regex SecretParameterPattern();

    /// <summary>A storage connection string's account key or SAS (the value runs to the next ';').</summary>
    [GeneratedRegex(@"\b(?<name>AccountKey|SharedAccessSignature)=[^;\s""]+", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringSecretPattern();

    /// <summary>A secret member of a JSON body; the value may contain escaped quotes.</summary>
    [GeneratedRegex(@"""(?<name>client_secret|access_token|refresh_token|password|clientSecret|accessToken|clientState)""\s*:\s*""(?:[^""\\]|\\.)*""", RegexOptions.IgnoreCase)]
    private static partial Regex SecretJsonPattern();
}
