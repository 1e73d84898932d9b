using System.Globalization;
using System.Text.Json;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>Applies a POST/PATCH JSON body to a record through the $metadata-bound setters, checking names, types and MaxLength.</summary>
internal static class BcBodyReader
{
    public static void Apply(EntityShape shape, BcRecord record, JsonElement body, bool creating)
    {
        string? currencyId = null, currencyCode = null;
        foreach (var member in body.EnumerateObject())
        {
            if (member.Name.StartsWith('@')) continue;
            var property = shape.Find(member.Name);
            if (property is null)
                throw shape.Edm.Navigation.ContainsKey(member.Name)
                    ? BcErrors.BadRequest($"Deep insert or update of '{member.Name}' is not supported by the sandbox.")
                    : BcErrors.BadRequest($"The property '{member.Name}' does not exist on type '{shape.Edm.FullName}'. Make sure to only use property names that are defined by the type.");
            if (property.Name == "id" && creating) continue;
            if (property.Set is null) throw BcErrors.ReadOnly(property.Name);
            var value = Read(property, member.Value);
            property.Set(record, value);
            if (property.Name == "currencyId") currencyId = member.Value.ToString();
            if (property.Name == "currencyCode") currencyCode = member.Value.GetString();
        }
        if (currencyId is not null && currencyCode is not null && record is BcCustomer customer
            && Guid.Parse(currencyId, CultureInfo.InvariantCulture) != customer.CurrencyId)
            throw BcErrors.Dialog("The currency values do not match to a specific Currency.");
    }

    public static object Read(BcProperty property, JsonElement value)
    {
        switch (property.Kind)
        {
            case EdmKind.String:
                if (value.ValueKind != JsonValueKind.String) throw Unconvertible(value, property);
                var text = value.GetString()!;
                if (property.Edm.MaxLength is int max && text.Length > max) throw BcErrors.StringTooLong(text, max);
                return text;
            case EdmKind.Enum:
                if (value.ValueKind != JsonValueKind.String) throw Unconvertible(value, property);
                return ODataFilterParser.EnumMember(property, value.GetString()!);
            case EdmKind.Guid:
                return ReadGuid(value);
            case EdmKind.Decimal:
                return value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) ? d : throw Unconvertible(value, property);
            case EdmKind.Boolean:
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Unconvertible(value, property);
            default:
                throw BcErrors.ReadOnly(property.Name);
        }
    }

    public static Guid ReadGuid(JsonElement value)
        => value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var id)
            ? id
            : throw new BcException(400, "Application_InvalidGUID", $"The value \"{value}\" is not a valid GUID.");

    private static BcException Unconvertible(JsonElement value, BcProperty property)
        => BcErrors.BadRequest($"Cannot convert the literal '{value}' to the expected type '{property.Edm.Type}'.");
}
