namespace MlConnector.Engine.Security;

/// <summary>
/// A secret (client secret) that never prints itself: ToString, debugger display and serialisers see
/// a mask. Only the code that must send it calls <see cref="Reveal"/>.
/// </summary>
[System.Diagnostics.DebuggerDisplay("***")]
public sealed class SecretText
{
    private readonly string _value;

    public SecretText(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    public string Reveal() => _value;

    public override string ToString() => "***";
}
