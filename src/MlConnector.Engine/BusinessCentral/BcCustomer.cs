using MlConnector.Engine.State;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>A BC customer (API v2.0 customers), flat for output. Financial totals are set only when expanded.</summary>
public sealed class BcCustomer
{
    public Guid Id { get; init; }
    public string Number { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public string Type { get; init; } = "";
    public string AddressLine1 { get; init; } = "";
    public string AddressLine2 { get; init; } = "";
    public string City { get; init; } = "";
    public string State { get; init; } = "";
    public string Country { get; init; } = "";
    public string PostalCode { get; init; } = "";
    public string PhoneNumber { get; init; } = "";
    public string Email { get; init; } = "";
    public string Website { get; init; } = "";
    public string SalespersonCode { get; init; } = "";
    public string CurrencyCode { get; init; } = "";
    public decimal CreditLimit { get; init; }

    /// <summary>Blank when not blocked (BC's "_x0020_"), else Ship, Invoice or All.</summary>
    public string Blocked { get; init; } = "";

    public DateTimeOffset LastModifiedDateTime { get; init; }
    public decimal? Balance { get; init; }
    public decimal? TotalSalesExcludingTax { get; init; }
    public decimal? OverdueAmount { get; init; }

    /// <summary>@odata.etag for PATCH; engine-only so it never rides on output rows.</summary>
    internal string? ETag { get; init; }

    /// <summary>The version read, for telling a record an incremental read already handled from a newer write.</summary>
    internal ReadVersion Version => ReadVersion.Of(LastModifiedDateTime, ETag);
}
