namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>What a table trigger saw (OnDatabaseInsert/Modify/Delete); the webhook change types carry the same names in lower case.</summary>
public enum BcChangeType { Created, Updated, Deleted }
