namespace MlConnector.Engine.Sync;

/// <summary>What happened to one record in a sync.</summary>
public enum SyncAction { Created, Updated, Unchanged, Skipped, Failed, Deleted }

/// <summary>What a sync run would do to one record (-WhatIf).</summary>
public enum PlannedAction { Create, Update, Unchanged, Skip, Delete }
