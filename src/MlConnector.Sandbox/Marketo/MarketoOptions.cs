namespace MlConnector.Sandbox.Marketo;

/// <summary>How a company write is answered while <see cref="MarketoOptions.CrmSync"/> is on.</summary>
public enum CrmSyncMode
{
    /// <summary>Each company record is skipped with record-level reason 1018 "CRM Enabled" (the default).</summary>
    RecordSkipped1018,

    /// <summary>The whole call fails with response-level 1018 "CRM Enabled".</summary>
    ResponseError1018,

    /// <summary>The whole call fails with response-level 603 "Access denied".</summary>
    AccessDenied603,
}

/// <summary>What a lead written with an externalCompanyId that names no company gets. Undocumented: a switch.</summary>
public enum UnknownCompanyLinkMode
{
    /// <summary>
    /// The lead is saved with the value but linked to no company, also when the company is created later; writing the
    /// lead again once the company exists links it. The default (Adobe's blog: company records must exist "in order for
    /// the relationships to be built").
    /// </summary>
    Unlinked,

    /// <summary>The link is by value: the lead reads company fields as soon as a company with that id exists.</summary>
    LinkedLater,

    /// <summary>The record is skipped with 1013 "Object not found".</summary>
    Skipped,
}

/// <summary>What a company written with an externalSalesPersonId that names no sales person gets. Undocumented: a switch.</summary>
public enum UnknownSalesPersonMode
{
    /// <summary>The company is saved with the value (the default).</summary>
    Accepted,

    /// <summary>The record is skipped with 718 "ExternalSalesPersonID not found" (the text Sync Opportunities documents).</summary>
    Skipped,
}

/// <summary>A custom lead field the simulated instance has (describe lists it; writes are validated against it).</summary>
public sealed record CustomFieldDefinition(string Name, string DataType, int? Length = null, bool ReadOnly = false, bool Searchable = false, string? DisplayName = null);

/// <summary>Switches and limits of the simulated Marketo instance. Defaults are the real Marketo values.</summary>
public sealed class MarketoOptions
{
    /// <summary>Munchkin account id (pattern NNN-AAA-NNN).</summary>
    public string MunchkinId { get; set; } = "123-ABC-456";

    /// <summary>The custom service's client id.</summary>
    public string ClientId { get; set; } = "5f1c2b7e-3a4d-4e8f-9b0a-6c7d8e9f0a1b";

    /// <summary>The custom service's client secret.</summary>
    public string ClientSecret { get; set; } = "sandbox-marketo-secret-0123456789abcdef";

    /// <summary>The API-only user that owns the custom service; returned as the token's scope.</summary>
    public string ApiUser { get; set; } = "mlconnector-api@example.com";

    /// <summary>Lifetime of a freshly minted access token.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(3600);

    /// <summary>
    /// Whether the instance is synced with a CRM. Companies then become read-only (Leads stay writable).
    /// Default off. The vendor documents only reason 1018 "CRM Enabled"; the exact level is not documented,
    /// so <see cref="CrmSyncMode"/> picks it (default: record-level skip with 1018).
    /// </summary>
    public bool CrmSync { get; set; }

    /// <summary>How company writes are refused while <see cref="CrmSync"/> is on. Default <see cref="CrmSyncMode.RecordSkipped1018"/>.</summary>
    public CrmSyncMode CrmSyncMode { get; set; } = CrmSyncMode.RecordSkipped1018;

    /// <summary>Calls allowed in the rolling <see cref="RateWindow"/> before 606 (Marketo: 100).</summary>
    public int RateLimit { get; set; } = 100;

    /// <summary>The rolling window of the rate limit (Marketo: 20 s).</summary>
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Requests in flight before 615 (Marketo: 10).</summary>
    public int ConcurrencyLimit { get; set; } = 10;

    /// <summary>Calls per day before 607 (Marketo default allocation: 50,000). Resets at midnight US Central.</summary>
    public int DailyQuota { get; set; } = 50_000;

    /// <summary>Longest request URI accepted before 414 (Marketo: 8 KB).</summary>
    public int MaxUriBytes { get; set; } = 8 * 1024;

    /// <summary>Largest request body accepted before 413 (Marketo: 1 MB).</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Records per sync/delete call (Marketo: 300).</summary>
    public int MaxBatchSize { get; set; } = 300;

    /// <summary>
    /// Fraction (0..1) of change-feed pages that come back short or empty while moreResult stays true,
    /// as real activity scans do. Deterministic per paging position. Default 0.2; 0 turns it off.
    /// </summary>
    public double ShortPageRate { get; set; } = 0.2;

    /// <summary>
    /// How a sinceDatetime without an offset is read. Not documented (Adobe only says "for best results
    /// provide a time zone"); default UTC.
    /// </summary>
    public TimeSpan UnzonedDatetimeOffset { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Whether the legacy access_token query parameter is still accepted. Adobe is removing it (dates in the
    /// docs disagree: 2025-06-30 vs 2026-08-31); default false, so clients must send Authorization: Bearer.
    /// </summary>
    public bool AcceptAccessTokenQueryParameter { get; set; }

    /// <summary>
    /// Whether two createOrUpdate calls in flight at the same time can both create the same new lead (leads.md: "concurrent
    /// or closely timed upserts ... can create duplicates"). When on, a call does not match leads created by a call that
    /// overlapped it. Default off (every call sees the ones before it), so tests that need the hazard turn it on.
    /// </summary>
    public bool ConcurrentUpsertDuplicates { get; set; }

    /// <summary>How a lead linked to an externalCompanyId that names no company is treated. Default <see cref="UnknownCompanyLinkMode.Unlinked"/>.</summary>
    public UnknownCompanyLinkMode UnknownCompanyLink { get; set; } = UnknownCompanyLinkMode.Unlinked;

    /// <summary>How a company whose externalSalesPersonId names no sales person is treated. Default <see cref="UnknownSalesPersonMode.Accepted"/>.</summary>
    public UnknownSalesPersonMode UnknownSalesPerson { get; set; } = UnknownSalesPersonMode.Accepted;

    /// <summary>The sales persons of the instance (externalSalesPersonId values; Sync Sales Persons creates them in a real one). Default none.</summary>
    public ISet<string> SalesPersons { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Activities that arrive out of order: each one is dated up to this long before it is recorded, so it can land
    /// before activities a client has already paged past. Default zero (every activity is dated when it is recorded).
    /// The real delay is not published (assumption); polling with an overlap is Adobe's community advice.
    /// </summary>
    public TimeSpan OutOfOrderWindow { get; set; }

    /// <summary>Leads in a static list from which listId on leadchanges/activities answers 1003 (activities.md, migration.md: 10,000).</summary>
    public int ListIdMaxMembers { get; set; } = 10_000;

    /// <summary>From when that limit applies: 2026-12-30 per activities.md (migration.md says 30 September 2026; the pages disagree).</summary>
    public DateTimeOffset ListIdLimitFrom { get; set; } = new(2026, 12, 30, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The marketing user whose UI edits the simulator records ("modifying user" of those activities).</summary>
    public string MarketingUser { get; set; } = "marketing.user@example.com";

    /// <summary>Largest Bulk Lead Import request (file and form) before HTTP 413 (bulk-import.md: 10 MB).</summary>
    public int BulkImportMaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Bulk imports processed at once (bulk-import.md: 2).</summary>
    public int BulkImportConcurrent { get; set; } = 2;

    /// <summary>Bulk imports queued, the importing ones included, before 1016 "Too many imports" (bulk-import.md: 10).</summary>
    public int BulkImportQueued { get; set; } = 10;

    /// <summary>
    /// Rows a bulk import processes per second on the sandbox clock. Adobe publishes no rate: the default of 100 is an
    /// assumption (a 10,000-row file takes 100 s); Adobe's advice to poll every 5-30 s suggests jobs of that order.
    /// </summary>
    public int BulkImportRowsPerSecond { get; set; } = 100;

    /// <summary>Export jobs processing at once (bulk-extract.md: 2).</summary>
    public int BulkExportConcurrent { get; set; } = 2;

    /// <summary>Export jobs queued, the processing ones included, before 1029 "Too many jobs in queue" (bulk-extract.md: 10).</summary>
    public int BulkExportQueued { get; set; } = 10;

    /// <summary>Bytes of export files per US-Central day before 1029 "Export daily quota ...MB exceeded" (bulk-extract.md: 500 MB by default).</summary>
    public long DailyExportQuotaBytes { get; set; } = 500L * 1024 * 1024;

    /// <summary>Longest createdAt/updatedAt range of an export (bulk-extract.md: 31 days).</summary>
    public TimeSpan ExportDateRangeLimit { get; set; } = TimeSpan.FromDays(31);

    /// <summary>
    /// Whether the subscription has the infrastructure for the updatedAt and smart-list export filters; false answers
    /// 1035 "Unsupported filter type for target subscription" (bulk-lead-extract.md). Default true.
    /// </summary>
    public bool UpdatedAtExportFilter { get; set; } = true;

    /// <summary>Leads an export job writes per second on the sandbox clock (at least one second per job). Not published: 1,000 is an assumption.</summary>
    public int BulkExportRecordsPerSecond { get; set; } = 1000;

    /// <summary>
    /// Export jobs, counted from the next one to start processing, that end Failed with <see cref="BulkExportFailureMessage"/>
    /// as errorMsg instead of Completed (bulk-extract.md documents the Failed status and errorMsg; it publishes no cause).
    /// A failed job has no file. Default 0.
    /// </summary>
    public int BulkExportFailures { get; set; }

    /// <summary>The errorMsg of a job that <see cref="BulkExportFailures"/> fails. Marketo's texts are not published: an assumption.</summary>
    public string BulkExportFailureMessage { get; set; } = "Export failed, please retry";

    /// <summary>How long a completed export's file can be downloaded (bulk-extract.md says 7 days in its limits, 10 days elsewhere; 7 used).</summary>
    public TimeSpan BulkExportFileRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Extra time each REST call holds its concurrency slot (lets tests provoke 615). Default zero.</summary>
    public TimeSpan ProcessingDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Lead partitions of the instance (partitionName); the first is the default.</summary>
    public IList<string> Partitions { get; } = new List<string> { "Default" };

    /// <summary>Custom lead fields of the instance; the defaults are the ones the BC mapping uses.</summary>
    public IList<CustomFieldDefinition> CustomFields { get; } = new List<CustomFieldDefinition>
    {
        new("bcCustomerNumber", "string", 20, Searchable: true, DisplayName: "BC Customer Number"),
        new("bcContactNumber", "string", 20, Searchable: true, DisplayName: "BC Contact Number"),
        new("bcCurrencyCode", "string", 10, DisplayName: "BC Currency Code"),
        new("bcBalance", "currency", DisplayName: "BC Balance"),
        new("bcTotalSalesExclTax", "currency", DisplayName: "BC Total Sales Excl. Tax"),
        new("bcBlocked", "boolean", DisplayName: "BC Blocked"),
        new("bcLastModified", "datetime", DisplayName: "BC Last Modified"),
        new("bcEngagementScore", "score", ReadOnly: true, DisplayName: "BC Engagement Score"),
        new("bcLifetimeValue", "formula", ReadOnly: true, DisplayName: "BC Lifetime Value"),
        new("bcNotes", "text", DisplayName: "BC Notes"),
    };

    /// <summary>Custom company fields of the instance; the defaults are the account figures the BC mapping writes.</summary>
    public IList<CustomFieldDefinition> CompanyCustomFields { get; } = new List<CustomFieldDefinition>
    {
        new("bcAccountCurrency", "string", 10, DisplayName: "BC Account Currency"),
        new("bcAccountBalance", "currency", DisplayName: "BC Account Balance"),
        new("bcAccountTotalSales", "currency", DisplayName: "BC Account Total Sales"),
        new("bcAccountOverdue", "currency", DisplayName: "BC Account Overdue"),
        new("bcAccountCreditLimit", "currency", DisplayName: "BC Account Credit Limit"),
    };
}
