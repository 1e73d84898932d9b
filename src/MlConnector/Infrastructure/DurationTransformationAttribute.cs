using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace MlConnector.Infrastructure;

/// <summary>
/// Lets a TimeSpan parameter take "1d", "36h", "90m", "45s" (or a decimal such as "1.5d") besides a TimeSpan or
/// TimeSpan text ("1.00:00:00"). Anything else is left for PowerShell's own conversion to refuse.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed partial class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is not string text) return inputData;
        var match = ShortForm().Match(text.Trim());
        if (!match.Success) return inputData;
        var amount = double.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value.ToLowerInvariant() switch
        {
            "d" => TimeSpan.FromDays(amount),
            "h" => TimeSpan.FromHours(amount),
            "m" => TimeSpan.FromMinutes(amount),
            _ => TimeSpan.FromSeconds(amount),
        };
    }

    [GeneratedRegex(@"^(?<amount>\d+(?:\.\d+)?)\s*(?<unit>[dhmsDHMS])$")]
    private static partial Regex ShortForm();
}
