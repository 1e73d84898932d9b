using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>
/// Holds Marketo response bodies to Adobe's Swagger (shared/specs/marketo). The swagger definitions become a
/// JSON Schema document; each path+method maps to its 200 response schema. Only the documented live
/// deviations (shared/api/marketo.md §3, §6, §7) are allowed: errors/warnings/result optional, reasons as an
/// array on leads, warnings as plain strings, attribute values as plain strings, and skipped company items
/// without an id (the docs' own delete example).
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

    /// <summary>Validation errors (empty when valid) of a body against a named definition.</summary>
    public static IReadOnlyList<string> Validate(string definition, JsonNode? body)
    {
        var schema = SchemaFor(definition);
        var result = schema.Evaluate(body, new EvaluationOptions { OutputFormat = OutputFormat.List });
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
        definitions["OAuthError"] = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("error", "error_description"),
            ["properties"] = new JsonObject { ["error"] = new JsonObject { ["type"] = "string" }, ["error_description"] = new JsonObject { ["type"] = "string" } },
        };

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
