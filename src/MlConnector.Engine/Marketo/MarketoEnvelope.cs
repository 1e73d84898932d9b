using System.Text.Json;

namespace MlConnector.Engine.Marketo;

/// <summary>One item of errors[], warnings[] or a record's reasons[]; codes are kept as strings.</summary>
public sealed record MarketoReason(string Code, string Message);

/// <summary>
/// The REST envelope. Marketo answers most failures with HTTP 200 and success:false, so the envelope, not the
/// status, decides. Real responses omit errors/warnings on success and result when empty, send warnings as
/// plain strings, and use string error codes (shared/api/marketo.md §3); all of that is accepted here.
/// </summary>
public sealed class MarketoEnvelope
{
    private MarketoEnvelope(string? requestId, bool success, IReadOnlyList<JsonElement> result, IReadOnlyList<MarketoReason> errors,
        IReadOnlyList<MarketoReason> warnings, bool? moreResult, string? nextPageToken, int httpStatus)
    {
        HttpStatus = httpStatus;
        RequestId = requestId;
        Success = success;
        Result = result;
        Errors = errors;
        Warnings = warnings;
        MoreResult = moreResult;
        NextPageToken = nextPageToken;
    }

    public string? RequestId { get; }
    public bool Success { get; }
    public IReadOnlyList<JsonElement> Result { get; }
    public IReadOnlyList<MarketoReason> Errors { get; }
    public IReadOnlyList<MarketoReason> Warnings { get; }
    public bool? MoreResult { get; }
    public string? NextPageToken { get; }
    public int HttpStatus { get; }

    /// <summary>The first error, if any.</summary>
    public MarketoReason? Error => Errors.Count > 0 ? Errors[0] : null;

    /// <summary>A successful answer that carried a file rather than an envelope.</summary>
    internal static MarketoEnvelope FileAnswer(int httpStatus) => new(null, true, [], [], [], null, null, httpStatus);

    /// <summary>Parses an envelope; null when <paramref name="json"/> is not a JSON object (e.g. an HTML error page).</summary>
    public static MarketoEnvelope? TryParse(string json, int httpStatus = 200)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException) { return null; }
        return From(document, httpStatus);
    }

    /// <summary>Parses an envelope straight from a response body, without first making it a string.</summary>
    internal static async Task<MarketoEnvelope?> TryReadAsync(HttpContent content, int httpStatus, CancellationToken cancellationToken)
    {
        await using var body = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        JsonDocument document;
        try { document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false); }
        catch (JsonException) { return null; }
        return From(document, httpStatus);
    }

    private static MarketoEnvelope? From(JsonDocument document, int httpStatus)
    {
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var errors = Reasons(root, "errors");
            var success = root.TryGetProperty("success", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? s.GetBoolean()
                : errors.Count == 0;
            var result = root.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Select(e => e.Clone()).ToArray()
                : Array.Empty<JsonElement>();
            bool? more = root.TryGetProperty("moreResult", out var m) && m.ValueKind is JsonValueKind.True or JsonValueKind.False ? m.GetBoolean() : null;
            return new MarketoEnvelope(Text(root, "requestId"), success, result, errors, Reasons(root, "warnings"), more, NullIfEmpty(Text(root, "nextPageToken")), httpStatus);
        }
    }

    /// <summary>An array of {code, message} objects or plain strings (any other member shape is ignored).</summary>
    internal static IReadOnlyList<MarketoReason> Reasons(JsonElement owner, string name)
    {
        if (!owner.TryGetProperty(name, out var array)) return Array.Empty<MarketoReason>();
        if (array.ValueKind == JsonValueKind.Object) return new[] { Reason(array) };
        if (array.ValueKind != JsonValueKind.Array) return Array.Empty<MarketoReason>();
        var list = new List<MarketoReason>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) list.Add(new MarketoReason("", item.GetString() ?? ""));
            else if (item.ValueKind == JsonValueKind.Object) list.Add(Reason(item));
        }
        return list;
    }

    private static MarketoReason Reason(JsonElement item) => new(Text(item, "code") ?? "", Text(item, "message") ?? "");

    /// <summary>A member as text whether Marketo sent it as a string or a number.</summary>
    internal static string? Text(JsonElement owner, string name)
    {
        if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    internal static long? Int64(JsonElement owner, string name)
    {
        if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)) return number;
        return value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
