using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>
/// Holds Marketo response bodies to Adobe's Swagger (shared/specs/marketo). The swagger definitions become a
/// JSON Schema document; each path+method maps to its 200 response schema. Only the documented live
/// deviations (shared/api/marketo.md §3, §6, §7) are allowed: errors/warnings/result optional, reasons as an
/// array on leads, warnings as plain strings, attribute values as plain strings, skipped company items
/// without an id (the docs' own delete example) and "name" on company describe (companies.md). Unknown members
/// are refused (additionalProperties:false) and formats are checked (date-time; int32/int64 as ranges).
/// </summary>
public static class SwaggerSchemas
{
    private static readonly Lazy<Specs> Loaded = new(Load);

    private sealed record Specs(JsonObject Definitions, List<(string Method, Regex Path, string Definition)> Routes);

    public static string SpecDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "MlConnector.Sandbox", "Specs", "marketo");
            if (File.Exists(Path.Combine(candidate, "swagger-mapi.json"))) return candidate;
        }
        throw new InvalidOperationException("src/MlConnector.Sandbox/Specs/marketo/swagger-mapi.json not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The swagger definition name for a request's 200 response, or null when the spec has no such operation.</summary>
    public static string? DefinitionFor(string method, string path)
    {
        if (path.StartsWith("/identity/", StringComparison.Ordinal)) return "ResponseOfIdentity";
        foreach (var (m, regex, definition) in Loaded.Value.Routes)
            if (m == method && regex.IsMatch(path)) return definition;
        return null;
    }

    /// <summary>The property names a definition declares (after the documented deviations).</summary>
    public static IReadOnlyCollection<string> PropertiesOf(string definition)
        => (Loaded.Value.Definitions[definition]?["properties"] as JsonObject)?.Select(p => p.Key).ToArray() ?? Array.Empty<string>();

    /// <summary>Validation errors (empty when valid) of a body against a named definition.</summary>
    public static IReadOnlyList<string> Validate(string definition, JsonNode? body)
    {
        var schema = SchemaFor(definition);
        var result = schema.Evaluate(body, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid) return Array.Empty<string>();
        return (result.Details ?? Array.Empty<EvaluationResults>())
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}"))
            .DefaultIfEmpty("invalid").ToArray();
    }

    private static readonly Dictionary<string, JsonSchema> Cache = new();

    private static JsonSchema SchemaFor(string definition)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(definition, out var cached)) return cached;
            var document = new JsonObject
            {
                ["$schema"] = "http://json-schema.org/draft-07/schema#",
                ["$id"] = $"https://mlconnector.sandbox/marketo/{definition}.json",
                ["$ref"] = "#/definitions/" + definition,
                ["definitions"] = Loaded.Value.Definitions.DeepClone(),
            };
            var schema = JsonSchema.FromText(document.ToJsonString());
            Cache[definition] = schema;
            return schema;
        }
    }

    /// <summary>
    /// Records whose members depend on the instance's fields (describe): they stay open here and are checked against
    /// the simulator's own field lists by <see cref="MarketoApi"/>.
    /// </summary>
    public static readonly IReadOnlySet<string> OpenRecords = new HashSet<string>(StringComparer.Ordinal) { "Lead", "CompanyResponse" };

    /// <summary>
    /// The swagger has no additionalProperties:false, so an invented member would pass. Every other object definition
    /// is closed here, and integer formats become ranges (int32/int64) so ids must be whole numbers that fit.
    /// </summary>
    private static void Tighten(JsonObject definitions)
    {
        foreach (var (name, node) in definitions)
        {
            if (node is not JsonObject definition) continue;
            if (definition["properties"] is JsonObject && !OpenRecords.Contains(name) && definition["additionalProperties"] is null)
                definition["additionalProperties"] = false;
            Ranges(definition);
        }
    }

    private static void Ranges(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["type"] is JsonValue type && type.TryGetValue<string>(out var t) && t == "integer"
                    && o["format"] is JsonValue format && format.TryGetValue<string>(out var bits))
                {
                    if (bits == "int32") { o["minimum"] = int.MinValue; o["maximum"] = int.MaxValue; }
                    if (bits == "int64") { o["minimum"] = long.MinValue; o["maximum"] = long.MaxValue; }
                }
                foreach (var (_, child) in o.ToArray()) Ranges(child);
                break;
            case JsonArray a:
                foreach (var child in a) Ranges(child);
                break;
        }
    }

    private static Specs Load()
    {
        var dir = SpecDirectory();
        var mapi = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "swagger-mapi.json")))!.AsObject();
        var identity = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "swagger-identity.json")))!.AsObject();
        var definitions = mapi["definitions"]!.DeepClone().AsObject();
        foreach (var (name, node) in identity["definitions"]!.AsObject()) definitions[name] = node!.DeepClone();

        // Live deviations documented in shared/api/marketo.md.
        foreach (var (name, node) in definitions)
        {
            if (!name.StartsWith("ResponseOf", StringComparison.Ordinal) || node!["required"] is not JsonArray required) continue;
            var keep = required.Select(r => r!.GetValue<string>()).Where(r => r is not ("errors" or "warnings" or "result")).ToArray();
            node["required"] = new JsonArray(keep.Select(k => (JsonNode)k).ToArray());
        }
        definitions["Lead"]!["properties"]!["reasons"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = "#/definitions/Reason" } };
        var warning = definitions["Warning"]!.DeepClone();
        definitions["Warning"] = new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, warning) };
        definitions["Attribute"]!["properties"]!["value"] = new JsonObject();
        definitions["CompanyResponse"]!["required"] = new JsonArray("seq");
        // Bulk import's create answer has no counts in the docs' example (bulk-lead-import.md).
        definitions["ImportLeadResponse"]!["required"] = new JsonArray("batchId", "status");
        // Company describe: the docs' example (companies.md) carries "name"; the swagger lists "status" as required but never declares it.
        definitions["ObjectMetaData"]!["properties"]!["name"] = new JsonObject { ["type"] = "string" };
        definitions["ObjectMetaData"]!["properties"]!["status"] = new JsonObject { ["type"] = "string" };
        definitions["OAuthError"] = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("error", "error_description"),
            ["properties"] = new JsonObject { ["error"] = new JsonObject { ["type"] = "string" }, ["error_description"] = new JsonObject { ["type"] = "string" } },
        };
        Tighten(definitions);

        var routes = new List<(string, Regex, string)>();
        foreach (var (path, ops) in mapi["paths"]!.AsObject())
        {
            var pattern = "^" + Regex.Replace(Regex.Escape(path), @"\\\{[^}]+}", "[^/]+") + "$";
            foreach (var (method, op) in ops!.AsObject())
            {
                if (op?["responses"]?["200"]?["schema"]?["$ref"]?.GetValue<string>() is { } reference)
                    routes.Add((method.ToUpperInvariant(), new Regex(pattern, RegexOptions.CultureInvariant), reference.Split('/')[^1]));
            }
        }
        // Literal paths before templated ones (e.g. leads/describe.json before leads/{id}...).
        routes.Sort((a, b) => a.Item2.ToString().Contains("[^/]+", StringComparison.Ordinal).CompareTo(b.Item2.ToString().Contains("[^/]+", StringComparison.Ordinal)));
        return new Specs(definitions, routes);
    }
}
