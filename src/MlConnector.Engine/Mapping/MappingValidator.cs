namespace MlConnector.Engine.Mapping;

/// <summary>
/// Checks every mapped target field against Marketo describe before anything is written: an unknown or
/// read-only field is a terminating error that names the field. Marketo REST field names are case-sensitive
/// ("FirstName" is refused where "firstName" works), so names must match describe exactly.
/// </summary>
public static class MappingValidator
{
    /// <param name="companiesWritable">When false (CRM sync), company fields are not checked: nothing is written to them.</param>
    public static void Validate(MappingSet mapping, IReadOnlyCollection<TargetField> leadFields, IReadOnlyCollection<TargetField> companyFields, bool companiesWritable = true)
    {
        if (companiesWritable) Check("company", mapping.Company.Fields, companyFields, mapping.Company.KeyField);
        Check("lead", mapping.Lead.Fields, leadFields, mapping.Lead.KeyField);
        if (mapping.LeadAccountFieldsWhen != LeadAccountFieldsWhen.Never)
            Check("leadAccount", mapping.LeadAccountFields, leadFields, key: null);
        if (mapping.WhenPrivacyBlocked == PrivacyBlockedAction.Unsubscribe)
            Check("lead whenPrivacyBlocked", [new FieldMapping(BcToMarketoMapper.UnsubscribedField, ["PrivacyBlocked"])], leadFields, key: null);
    }

    private static void Check(string section, IReadOnlyList<FieldMapping> mappings, IReadOnlyCollection<TargetField> described, string? key)
    {
        var byName = described.GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var objects = section == "company" ? "companies" : "leads";
        foreach (var mapping in mappings)
        {
            if (!byName.TryGetValue(mapping.Target, out var field))
            {
                var cased = described.FirstOrDefault(f => string.Equals(f.Name, mapping.Target, StringComparison.OrdinalIgnoreCase));
                throw new MappingException("MappingTargetFieldUnknown", cased is not null
                    ? $"The {section} mapping writes '{mapping.Target}', but Marketo field names are case-sensitive and describe lists '{cased.Name}' for {objects}. Write '{cased.Name}' in the mapping."
                    : $"The {section} mapping writes '{mapping.Target}', which Marketo describe does not list for {objects}. Check the field's REST API name in Marketo Admin > Field Management (names are case-sensitive), or remove it from the mapping.",
                    mapping.Target);
            }
            // The dedupe key of companies is not updateable, yet it is how createOrUpdate finds the record.
            var isKey = key is not null && string.Equals(mapping.Target, key, StringComparison.Ordinal);
            if (!field.Updateable && !isKey)
                throw new MappingException("MappingTargetFieldReadOnly",
                    $"The {section} mapping writes '{mapping.Target}', which is read-only in Marketo (a formula, score or system field). Map a writable field instead.",
                    mapping.Target);
        }
    }
}
