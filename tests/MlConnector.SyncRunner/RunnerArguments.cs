using System.Globalization;

namespace MlConnector.SyncRunner;

internal sealed class RunnerArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    public string Mode { get; private set; } = "sync";

    public static RunnerArguments Parse(string[] args)
    {
        var parsed = new RunnerArguments();
        var i = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal)) parsed.Mode = args[i++];
        for (; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{name}'.");
            if (name is "--refresh-financials") { parsed._switches.Add(name); continue; }
            if (i + 1 >= args.Length) throw new ArgumentException($"'{name}' needs a value.");
            parsed._values[name] = args[++i];
        }
        return parsed;
    }

    public bool Has(string name) => _switches.Contains(name);

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) => _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"'{name}' is required.");

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var value)
        ? int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => _values.TryGetValue(name, out var value)
        ? double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The sandbox's ready line: from --sandbox-json (a file, or '-' for stdin), else from stdin.</summary>
    public string SandboxJson()
    {
        var source = _values.GetValueOrDefault("--sandbox-json", "-");
        var text = source == "-" ? Console.In.ReadLine() : File.ReadAllText(source);
        return string.IsNullOrWhiteSpace(text) ? throw new ArgumentException("No sandbox JSON was given (--sandbox-json <file> or one line on stdin).") : text.Trim();
    }
}
