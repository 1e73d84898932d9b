using System.Globalization;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>A BC API failure: HTTP status plus the OData error code and message that go into {"error":{"code","message"}}.</summary>
public sealed class BcException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>The error texts BC returns (shared/api/business-central.md §1.5, §4.4, §4.6).</summary>
public static class BcErrors
{
    public const string QuerySyntax = "Bad Request - Error in query syntax.";

    /// <summary>BC appends "  CorrelationId:  {guid}." (two spaces before and after the label) to every message.</summary>
    public static string WithCorrelationId(string message, Guid correlationId)
        => message + "  CorrelationId:  " + correlationId.ToString("D", CultureInfo.InvariantCulture) + ".";

    public static BcException Syntax() => new(400, "BadRequest_NotFound", QuerySyntax);

    public static BcException NoSuchProperty(string name, EdmEntityType type)
        => new(400, "BadRequest_NotFound", $"Could not find a property named '{name}' on type '{type.FullName}'.");

    public static BcException SegmentNotFound(string segment) => new(404, "BadRequest_ResourceNotFound", $"Resource not found for the segment '{segment}'.");

    public static BcException RecordNotFound(string table, string key) => new(404, "Internal_RecordNotFound", $"The {table} does not exist. Identification fields and values: {key}");

    public static BcException MethodNotAllowed(string method, string set)
        => new(405, "BadRequest_MethodNotAllowed", $"'{method}' requests for '{set}' of EdmType 'Entity' are not allowed within Dynamics 365 Business Central OData web services.");

    public static BcException MissingConcurrencyToken()
        => new(400, "BadRequest_InvalidToken", "Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.");

    public static BcException EntityChanged() => new(409, "Request_EntityChanged", "Another user has already changed the record.");

    public static BcException StringTooLong(string value, int max)
        => new(400, "Application_StringExceededLength", $"The length of the string is {value.Length}, but it must be less than or equal to {max} characters. Value: {value}");

    public static BcException Dialog(string message) => new(400, "Application_DialogException", message);

    public static BcException BadRequest(string message) => new(400, "BadRequest", message);

    public static BcException CompanyNotFound(string? company) => new(400, "Internal_CompanyNotFound",
        company is null ? "Cannot find the default company. Specify the company in the request URL." : $"Cannot find the company '{company}'.");

    public static BcException ReadOnly(string property) => new(400, "BadRequest_InvalidOperation", $"Control '{property}' is read-only.");

    /// <summary>
    /// A filter on a value the page computes (a page variable such as customerContacts.customerId). No Microsoft document
    /// shows such a filter working; the code is the one BC uses for the filters it does not support (assumption, docs/sandbox.md).
    /// </summary>
    public static BcException ComputedFieldFilter(string property, string entitySet)
        => new(400, "BadRequest_NotSupported", $"The filter on '{property}' is not supported: {entitySet} computes it in the page and has no table field to filter.");

    /// <summary>AL page 30072 refuses to load without both filters.</summary>
    public static BcException ContactInformationNeedsFilter() => Dialog("id type not specified.");
}
