using System.Text.Json;

namespace MlConnector.Engine.State;

/// <summary>How a store keeps <see cref="RecordState.FieldHashes"/>: one JSON object of field name to digest (null stays null).</summary>
internal static class FieldHashesJson
{
    public static string? Write(IReadOnlyDictionary<string, string>? hashes) => hashes is null ? null : JsonSerializer.Serialize(hashes);

    public static IReadOnlyDictionary<string, string>? Read(string? text) => text is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(text);
}
