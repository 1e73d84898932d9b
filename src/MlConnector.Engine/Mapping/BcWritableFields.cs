namespace MlConnector.Engine.Mapping;

/// <summary>
/// The Business Central API v2.0 fields a lead may fill, with their MaxLength from $metadata
/// (shared/api/business-central.md §3.2, §3.4). Account and financial fields are not among them: they belong to BC.
/// </summary>
public static class BcWritableFields
{
    private static readonly Dictionary<string, int> CustomerFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["displayName"] = 100, ["addressLine1"] = 100, ["addressLine2"] = 50, ["city"] = 30, ["state"] = 30, ["country"] = 10,
        ["postalCode"] = 20, ["phoneNumber"] = 30, ["email"] = 80, ["website"] = 80, ["taxRegistrationNumber"] = 20,
    };

    private static readonly Dictionary<string, int> ContactFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["displayName"] = 100, ["jobTitle"] = 30, ["addressLine1"] = 100, ["addressLine2"] = 50, ["city"] = 30, ["state"] = 30, ["country"] = 10,
        ["postalCode"] = 20, ["phoneNumber"] = 30, ["mobilePhoneNumber"] = 30, ["email"] = 80, ["website"] = 80, ["taxRegistrationNumber"] = 20,
    };

    private static readonly string[] Financial =
    [
        "currencyCode", "currencyId", "paymentTermsId", "shipmentMethodId", "paymentMethodId", "creditLimit", "blocked", "taxLiable", "taxAreaId",
        "balanceDue", "salespersonCode", "number", "type", "companyNumber", "privacyBlocked",
    ];

    /// <summary>
    /// Fields compared without case: Code fields (Business Central stores them in upper case) and email (an address is the
    /// same whatever its case; a difference in case alone is not a change worth writing).
    /// </summary>
    public static bool IgnoresCase(string bcField) => bcField is "country" or "postalCode" or "email";

    public static int MaxLength(BcEntity entity, string bcField) => (entity == BcEntity.Customer ? CustomerFields : ContactFields)[bcField];

    /// <summary>The field's exact API name, or a MappingException saying why it cannot be filled from Marketo.</summary>
    public static string Require(BcEntity entity, string bcField)
    {
        var fields = entity == BcEntity.Customer ? CustomerFields : ContactFields;
        var what = entity == BcEntity.Customer ? "customer" : "contact";
        if (fields.ContainsKey(bcField)) return fields.Keys.First(k => string.Equals(k, bcField, StringComparison.OrdinalIgnoreCase));
        if (Financial.Contains(bcField, StringComparer.OrdinalIgnoreCase))
            throw new MappingException("MappingFieldNotAllowed",
                $"{MarketoToBcMapping.Section}.{what}.{bcField}: Business Central's keys, account and financial fields are never filled from Marketo (currency is left to BC's default).", bcField);
        throw new MappingException("MappingTargetFieldUnknown",
            $"{MarketoToBcMapping.Section}.{what}.{bcField} is not a Business Central {what} field a lead can fill. Known: {string.Join(", ", fields.Keys)}.", bcField);
    }
}
