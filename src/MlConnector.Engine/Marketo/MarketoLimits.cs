namespace MlConnector.Engine.Marketo;

/// <summary>Fixed Marketo limits (shared/api/marketo.md §10).</summary>
internal static class MarketoLimits
{
    /// <summary>Records per sync call, filter values per read, and page size.</summary>
    public const int MaxBatch = 300;

    /// <summary>Longest request URI; longer GETs are sent as POST ?_method=GET with a form body.</summary>
    public const int MaxUriBytes = 8 * 1024;

    /// <summary>Get Paging Token may run for up to 300 s on Marketo's side.</summary>
    public static readonly TimeSpan PagingTokenTimeout = TimeSpan.FromSeconds(320);
}
