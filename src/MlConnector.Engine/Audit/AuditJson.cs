using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlConnector.Engine.Audit;

internal static class AuditJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };
}
