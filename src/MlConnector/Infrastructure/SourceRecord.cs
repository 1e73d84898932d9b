using System.Globalization;
using System.Management.Automation;
using System.Reflection;

namespace MlConnector.Infrastructure;

/// <summary>
/// Rebuilds a BC customer or contact from a loosely typed row (Import-Csv of Get-BcCustomer output, a deserialised
/// object): every public property of <typeparamref name="T"/> found on the row is converted culture-invariantly.
/// </summary>
internal static class SourceRecord<T> where T : class, new()
{
    private static readonly PropertyInfo[] Writable = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is { IsPublic: true }).ToArray();

    public static T From(PSObject input)
    {
        if (input.BaseObject is T typed) return typed;
        var record = new T();
        foreach (var property in Writable)
        {
            var value = input.Properties[property.Name]?.Value;
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            if (value is null || (value is string text && text.Length == 0 && property.PropertyType != typeof(string))) continue;
            property.SetValue(record, LanguagePrimitives.ConvertTo(value, property.PropertyType, CultureInfo.InvariantCulture));
        }
        return record;
    }
}
