namespace MlConnector.Engine.Marketo;

/// <summary>Fixed Marketo limits (shared/api/marketo.md §10).</summary>
internal static class MarketoLimits
{
    /// <summary>Records per sync call, filter values per read, and page size.</summary>
    public const int MaxBatch = 300;

    /// <summary>Longest request URI; longer GETs are sent as POST ?_method=GET with a form body.</summary>
    public const int MaxUriBytes = 8 * 1024;

    /// <summary>Largest Bulk Lead Import file (10 MB; 413 above).</summary>
    public const int MaxImportFileBytes = 10 * 1024 * 1024;

    /// <summary>Bulk Lead Imports processed at once per instance (more wait in Marketo's queue of 10; 1016 beyond).</summary>
    public const int ImportsRunning = 2;

    /// <summary>Get Paging Token may run for up to 300 s on Marketo's side.</summary>
    public static readonly TimeSpan PagingTokenTimeout = TimeSpan.FromSeconds(320);
}
