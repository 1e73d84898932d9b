namespace MlConnector.Sandbox.Marketo;

public sealed class MarketoOptions
{
}
