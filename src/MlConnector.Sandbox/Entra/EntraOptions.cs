namespace MlConnector.Sandbox.Entra;

public sealed class EntraOptions
{
}
