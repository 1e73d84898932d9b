namespace MlConnector.Sandbox.BusinessCentral;

public sealed class BusinessCentralOptions
{
}
