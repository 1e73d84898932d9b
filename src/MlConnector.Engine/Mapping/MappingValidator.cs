namespace MlConnector.Engine.Mapping;

/// <summary>
/// Checks every mapped target field against Marketo describe before anything is written: an unknown or
/// read-only field is a terminating error that names the field.
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
    }

    private static void Check(string section, IReadOnlyList<FieldMapping> mappings, IReadOnlyCollection<TargetField> described, string? key)
    {
        var byName = described.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        foreach (var mapping in mappings)
        {
            if (!byName.TryGetValue(mapping.Target, out var field))
                throw new MappingException("MappingTargetFieldUnknown",
                    $"The {section} mapping writes '{mapping.Target}', which Marketo describe does not list for {(section == "company" ? "companies" : "leads")}. Check the field's REST API name in Marketo Admin > Field Management, or remove it from the mapping.",
                    mapping.Target);
            // The dedupe key of companies is not updateable, yet it is how createOrUpdate finds the record.
            var isKey = key is not null && string.Equals(mapping.Target, key, StringComparison.OrdinalIgnoreCase);
            if (!field.Updateable && !isKey)
                throw new MappingException("MappingTargetFieldReadOnly",
                    $"The {section} mapping writes '{mapping.Target}', which is read-only in Marketo (a formula, score or system field). Map a writable field instead.",
                    mapping.Target);
        }
    }
}
